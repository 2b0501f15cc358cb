package dev.isthmus.nn.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * Mono audio: samples as floats (nominally in [-1, 1]) at {@code sampleRate} samples per second.
 * Equality compares the sample values. The array is not copied; treat it as read-only.
 */
public record AudioClip(float[] samples, int sampleRate) {
    /**
     * Checks the clip.
     * @throws NullPointerException if {@code samples} is null
     * @throws IllegalArgumentException if {@code sampleRate} is not positive
     */
    public AudioClip {
        Objects.requireNonNull(samples, "samples");
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("AudioClip: sample rate must be positive, got " + sampleRate);
        }
    }

    /** Number of samples. */
    public int length() {
        return samples.length;
    }

    /** The length in seconds: samples divided by the sample rate. */
    public double durationSeconds() {
        return samples.length / (double) sampleRate;
    }

    /** This clip at another sample rate (see {@link Audio#resample}); this clip itself when the rate is the same. */
    public AudioClip resample(int targetRate) {
        return targetRate == sampleRate ? this : new AudioClip(Audio.resample(samples, sampleRate, targetRate), targetRate);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AudioClip c && c.sampleRate == sampleRate && Arrays.equals(c.samples, samples);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(samples) + sampleRate;
    }

    @Override
    public String toString() {
        return String.format("AudioClip[%d samples, %d Hz, %.3f s]", samples.length, sampleRate, durationSeconds());
    }
}
