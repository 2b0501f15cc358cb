package dev.isthmus.samples.data;

import dev.isthmus.nn.data.Audio;
import dev.isthmus.nn.data.AudioClip;
import dev.isthmus.nn.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The speech sample's front end: how a recorded or synthesised word becomes a fixed-size clip,
 * and how a clip becomes the model's input.
 *
 * <h2>Clips: 1 s at 16 kHz, word centred</h2>
 * {@link #prepare(AudioClip)} resamples to {@value #SAMPLE_RATE} Hz ({@link Audio#resample}),
 * trims leading and trailing silence ({@link #trimSilence}) and centres what is left in exactly
 * {@value #CLIP_SAMPLES} samples ({@link #centre}): zeros on both sides when it is shorter, its
 * middle second when it is longer. The synthetic ({@link SpokenDigits}) and the recorded
 * ({@link AsteriskDigits}) clips go through the same steps, so neither set can be told apart by
 * where the word sits or how much silence surrounds it.
 *
 * <p>Silence is found on 10 ms blocks: a block is speech when its RMS is within
 * {@value #SILENCE_DB} dB of the loudest block's (and above an absolute floor of
 * {@value #SILENCE_FLOOR} for all-but-silent input); the kept span runs from the first to the
 * last speech block, widened by {@value #MARGIN_MS} ms each side so that soft onsets and endings
 * (the f of "five", the s of "six") survive. Relative rather than absolute, so it works for
 * espeak-ng's digital silence and for the recordings' noise floor alike.
 *
 * <h2>Features: normalised log-mel, [{@value #FRAMES}, {@value #N_MELS}]</h2>
 * {@link #features(float[])} is {@link Audio#logMelSpectrogram} with nFft {@value #N_FFT}
 * (32 ms Hann window, a power of two), hop {@value #HOP} (10 ms), {@value #N_MELS} Slaney mel
 * bands over 0–8 kHz and {@code ln(mel + 1e-6)}, followed by per-utterance normalisation
 * ({@link Audio#normalize}: each band shifted to zero mean and scaled to unit variance over the
 * clip's frames). The centred STFT of 16 000 samples gives 1 + 16000/160 = {@value #FRAMES}
 * frames. Log-mel rather than MFCC because a convolutional or recurrent model does its own
 * decorrelation; 40 bands is the usual keyword-spotting size; per-utterance normalisation removes
 * loudness and channel differences (espeak-ng's amplitude setting, the 8 kHz telephone recordings)
 * that say nothing about the word. The filterbank is built once and the steps run on arrays, so a
 * batch allocates one tensor.
 */
public final class SpeechFeatures {

    /** Sample rate of every clip, Hz. */
    public static final int SAMPLE_RATE = 16_000;
    /** Samples per clip: exactly one second. */
    public static final int CLIP_SAMPLES = SAMPLE_RATE;
    /** FFT size and Hann window length (32 ms). */
    public static final int N_FFT = 512;
    /** Hop between frames (10 ms). */
    public static final int HOP = 160;
    /** Mel bands. */
    public static final int N_MELS = 40;
    /** Frames per clip: {@code 1 + CLIP_SAMPLES / HOP} (centred STFT). */
    public static final int FRAMES = 1 + CLIP_SAMPLES / HOP;

    /** A 10 ms block is speech when its RMS is within this many dB of the loudest block's. */
    public static final double SILENCE_DB = 40.0;
    /** Blocks quieter than this RMS are silence whatever the loudest block (full scale is 1). */
    public static final double SILENCE_FLOOR = 1e-4;
    /** Kept around the first and last speech block, ms. */
    public static final int MARGIN_MS = 20;

    private static final float[][] FILTERBANK =
            Audio.melFilterbank(SAMPLE_RATE, N_FFT, N_MELS, 0, SAMPLE_RATE / 2.0);

    private SpeechFeatures() {}

    // ------------------------------------------------------------------------------- clips

    /**
     * The clip at {@value #SAMPLE_RATE} Hz, silence trimmed, word centred in exactly
     * {@value #CLIP_SAMPLES} samples (see the class comment).
     */
    public static float[] prepare(AudioClip clip) {
        Objects.requireNonNull(clip, "clip");
        float[] x = clip.resample(SAMPLE_RATE).samples();
        return centre(trimSilence(x, SAMPLE_RATE), CLIP_SAMPLES);
    }

    /**
     * {@code x} without its leading and trailing silence (see the class comment), keeping
     * {@value #MARGIN_MS} ms each side; an empty array when nothing rises above the floor.
     */
    public static float[] trimSilence(float[] x, int sampleRate) {
        Objects.requireNonNull(x, "x");
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sample rate must be positive, got " + sampleRate);
        }
        int block = Math.max(1, sampleRate / 100);
        int blocks = (x.length + block - 1) / block;
        double[] rms = new double[blocks];
        double loudest = 0;
        for (int b = 0; b < blocks; b++) {
            int from = b * block;
            int to = Math.min(x.length, from + block);
            double sum = 0;
            for (int i = from; i < to; i++) {
                sum += (double) x[i] * x[i];
            }
            rms[b] = Math.sqrt(sum / (to - from));
            loudest = Math.max(loudest, rms[b]);
        }
        double threshold = Math.max(SILENCE_FLOOR, loudest * Math.pow(10, -SILENCE_DB / 20));
        int first = -1;
        int last = -1;
        for (int b = 0; b < blocks; b++) {
            if (rms[b] >= threshold) {
                if (first < 0) {
                    first = b;
                }
                last = b;
            }
        }
        if (first < 0) {
            return new float[0];
        }
        int margin = (int) ((long) sampleRate * MARGIN_MS / 1000);
        int start = Math.max(0, first * block - margin);
        int end = Math.min(x.length, (last + 1) * block + margin);
        return Arrays.copyOfRange(x, start, end);
    }

    /**
     * {@code x} centred in exactly {@code length} samples: padded with zeros on both sides (one
     * more on the right when the padding is odd) when shorter, its middle {@code length} samples
     * when longer.
     */
    public static float[] centre(float[] x, int length) {
        Objects.requireNonNull(x, "x");
        if (length < 0) {
            throw new IllegalArgumentException("length must be non-negative, got " + length);
        }
        float[] out = new float[length];
        if (x.length >= length) {
            System.arraycopy(x, (x.length - length) / 2, out, 0, length);
        } else {
            System.arraycopy(x, 0, out, (length - x.length) / 2, x.length);
        }
        return out;
    }

    // ------------------------------------------------------------------------------- features

    /**
     * Normalised log-mel features [{@value #FRAMES}][{@value #N_MELS}] of a prepared clip of
     * exactly {@value #CLIP_SAMPLES} samples at {@value #SAMPLE_RATE} Hz.
     *
     * @throws IllegalArgumentException when the clip has another length (use {@link #prepare})
     */
    public static float[][] features(float[] clip) {
        Objects.requireNonNull(clip, "clip");
        if (clip.length != CLIP_SAMPLES) {
            throw new IllegalArgumentException("SpeechFeatures: expected a clip of " + CLIP_SAMPLES
                    + " samples (1 s at " + SAMPLE_RATE + " Hz), got " + clip.length
                    + "; prepare it with SpeechFeatures.prepare or centre(x, CLIP_SAMPLES)");
        }
        return Audio.normalize(Audio.logMel(Audio.stft(clip, N_FFT, HOP), FILTERBANK));
    }

    /** {@link #features(float[])} as a [{@value #FRAMES}, {@value #N_MELS}] tensor. */
    public static Tensor tensor(float[] clip) {
        return Tensor.of(features(clip));
    }

    /** The features of each clip, stacked: a [n, {@value #FRAMES}, {@value #N_MELS}] tensor. */
    public static Tensor batch(List<float[]> clips) {
        int n = clips.size();
        int per = FRAMES * N_MELS;
        float[] data = new float[Math.multiplyExact(n, per)];
        for (int i = 0; i < n; i++) {
            float[][] f = features(clips.get(i));
            for (int t = 0; t < FRAMES; t++) {
                System.arraycopy(f[t], 0, data, i * per + t * N_MELS, N_MELS);
            }
        }
        return Tensor.of(data, n, FRAMES, N_MELS);
    }

    /** {@link #batch} of the clips' samples. */
    public static Tensor batchOf(List<SpokenDigits.Clip> clips) {
        return batch(clips.stream().map(SpokenDigits.Clip::samples).toList());
    }

    /** The clips' labels, in order. */
    public static int[] labels(List<SpokenDigits.Clip> clips) {
        return clips.stream().mapToInt(SpokenDigits.Clip::label).toArray();
    }
}
