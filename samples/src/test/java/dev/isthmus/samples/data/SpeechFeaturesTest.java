package dev.isthmus.samples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.data.Audio;
import dev.isthmus.nn.data.AudioClip;
import dev.isthmus.nn.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpeechFeaturesTest {

    /** {@code lead} zeros, {@code n} samples of a 440 Hz sine of the given amplitude, {@code tail} zeros. */
    static float[] toneBurst(int lead, int n, int tail, float amplitude, int rate) {
        float[] x = new float[lead + n + tail];
        for (int i = 0; i < n; i++) {
            x[lead + i] = (float) (amplitude * Math.sin(2 * Math.PI * 440 * i / rate));
        }
        return x;
    }

    @Test
    void trimSilenceKeepsTheSoundAndTwentyMillisecondsEachSide() {
        float[] x = toneBurst(4000, 3200, 5000, 0.5f, 16000);
        float[] t = SpeechFeatures.trimSilence(x, 16000);
        assertEquals(3200 + 2 * 320, t.length);
        for (int i = 0; i < 320; i++) {
            assertEquals(0f, t[i]);
            assertEquals(0f, t[t.length - 1 - i]);
        }
        assertEquals(x[4000 + 100], t[320 + 100]);
    }

    @Test
    void trimSilenceKeepsSoftPartsWithinFortyDecibelsAndDropsQuieterOnes() {
        float[] x = toneBurst(1600, 1600, 3200, 0.5f, 16000);
        float[] soft = toneBurst(0, 1600, 0, 0.02f, 16000); // -28 dB: speech
        System.arraycopy(soft, 0, x, 3200, soft.length);
        assertEquals(3200 + 640, SpeechFeatures.trimSilence(x, 16000).length);
        float[] hum = toneBurst(0, 1600, 0, 0.002f, 16000); // -48 dB: silence
        System.arraycopy(hum, 0, x, 3200, hum.length);
        assertEquals(1600 + 640, SpeechFeatures.trimSilence(x, 16000).length);
    }

    @Test
    void trimSilenceOfSilenceOrNearSilenceIsEmpty() {
        assertEquals(0, SpeechFeatures.trimSilence(new float[16000], 16000).length);
        assertEquals(0, SpeechFeatures.trimSilence(toneBurst(100, 1000, 100, 1e-5f, 16000), 16000).length);
        assertEquals(0, SpeechFeatures.trimSilence(new float[0], 16000).length);
    }

    @Test
    void trimSilenceAtTheEdgesDoesNotRunOutOfTheArray() {
        float[] x = toneBurst(0, 1000, 0, 0.5f, 16000);
        assertArrayEquals(x, SpeechFeatures.trimSilence(x, 16000));
    }

    @Test
    void centrePadsBothSidesOrKeepsTheMiddle() {
        float[] x = {1, 2, 3};
        assertArrayEquals(new float[] {0, 1, 2, 3, 0, 0}, SpeechFeatures.centre(x, 6));
        assertArrayEquals(new float[] {0, 1, 2, 3, 0}, SpeechFeatures.centre(x, 5));
        assertArrayEquals(new float[] {2, 3, 4}, SpeechFeatures.centre(new float[] {1, 2, 3, 4, 5}, 3));
        assertArrayEquals(x, SpeechFeatures.centre(x, 3));
        assertEquals(16000, SpeechFeatures.centre(new float[20000], 16000).length);
        assertThrows(IllegalArgumentException.class, () -> SpeechFeatures.centre(x, -1));
    }

    @Test
    void prepareResamplesTrimsAndCentresToOneSecond() {
        // 8 kHz: 0.2 s silence, 0.5 s tone, 0.5 s silence (1.2 s in all).
        float[] x = toneBurst(1600, 4000, 4000, 0.5f, 8000);
        float[] y = SpeechFeatures.prepare(new AudioClip(x, 8000));
        assertEquals(SpeechFeatures.CLIP_SAMPLES, y.length);
        // The 0.5 s tone (+ margins, + resampling ringing) sits in the middle: the edges are silent.
        for (int i = 0; i < 3000; i++) {
            assertTrue(Math.abs(y[i]) < 1e-3 && Math.abs(y[y.length - 1 - i]) < 1e-3, "edge sample " + i);
        }
        float peak = 0;
        for (int i = 7000; i < 9000; i++) {
            peak = Math.max(peak, Math.abs(y[i]));
        }
        assertTrue(peak > 0.4, "tone kept, peak " + peak);
    }

    @Test
    void featuresAreNormalisedLogMelOfOneHundredAndOneFramesByFortyBands() {
        float[] clip = SpeechFeatures.centre(toneBurst(0, 8000, 0, 0.5f, 16000), 16000);
        float[][] f = SpeechFeatures.features(clip);
        assertEquals(101, SpeechFeatures.FRAMES);
        assertEquals(SpeechFeatures.FRAMES, f.length);
        assertEquals(SpeechFeatures.N_MELS, f[0].length);
        float[] ref = Audio.normalize(Audio.logMelSpectrogram(new AudioClip(clip, 16000), 16000,
                SpeechFeatures.N_FFT, SpeechFeatures.HOP, SpeechFeatures.N_MELS)).toArray();
        for (int t = 0; t < f.length; t++) {
            for (int m = 0; m < f[t].length; m++) {
                assertTrue(Float.isFinite(f[t][m]));
                assertEquals(ref[t * SpeechFeatures.N_MELS + m], f[t][m], 1e-4, "frame " + t + " band " + m);
            }
        }
        double mean = 0;
        for (float[] row : f) {
            mean += row[5];
        }
        assertEquals(0, mean / f.length, 1e-4);
    }

    @Test
    void batchStacksFeaturesAndRejectsUnpreparedClips() {
        float[] a = SpeechFeatures.centre(toneBurst(0, 4000, 0, 0.5f, 16000), 16000);
        float[] b = new float[16000];
        Tensor t = SpeechFeatures.batch(List.of(a, b, a));
        assertArrayEquals(new int[] {3, SpeechFeatures.FRAMES, SpeechFeatures.N_MELS}, t.shape());
        float[] v = t.toArray();
        float[] first = SpeechFeatures.tensor(a).toArray();
        int per = SpeechFeatures.FRAMES * SpeechFeatures.N_MELS;
        for (int i = 0; i < per; i++) {
            assertEquals(first[i], v[i]);
            assertEquals(first[i], v[2 * per + i]);
        }
        Tensor clips = SpeechFeatures.batchOf(List.of(new SpokenDigits.Clip(a, 3, "x"), new SpokenDigits.Clip(b, 7, "y")));
        assertArrayEquals(new int[] {2, SpeechFeatures.FRAMES, SpeechFeatures.N_MELS}, clips.shape());
        assertArrayEquals(new int[] {3, 7}, SpeechFeatures.labels(
                List.of(new SpokenDigits.Clip(a, 3, "x"), new SpokenDigits.Clip(b, 7, "y"))));
        assertThrows(IllegalArgumentException.class, () -> SpeechFeatures.features(new float[8000]));
    }
}
