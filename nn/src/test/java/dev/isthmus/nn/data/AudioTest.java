package dev.isthmus.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AudioTest {

    private static float[] sine(double hz, int sampleRate, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (0.5 * Math.sin(2 * Math.PI * hz * i / sampleRate));
        }
        return x;
    }

    /** Frequency in Hz of the strongest bin of a Hann-windowed FFT of x[start, start + n). */
    private static double dominantFrequency(float[] x, int start, int n, int sampleRate) {
        float[] w = Audio.hann(n);
        float[] seg = new float[n];
        for (int i = 0; i < n; i++) {
            seg[i] = x[start + i] * w[i];
        }
        double[] p = Fft.rfftOf(seg).power();
        int best = 0;
        for (int k = 1; k < p.length; k++) {
            if (p[k] > p[best]) {
                best = k;
            }
        }
        return (double) best * sampleRate / n;
    }

    private static double rms(float[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += x[i] * x[i];
        }
        return Math.sqrt(s / (to - from));
    }

    @Test
    void logMelOfA1kHzTonePeaksInTheMelBandContaining1kHz() {
        int sr = 16000;
        int nMels = 40;
        Tensor logMel = Audio.logMelSpectrogram(new AudioClip(sine(1000, sr, sr), sr), sr, 512, 160, nMels);
        assertArrayEquals(new int[] {1 + sr / 160, nMels}, logMel.shape());
        float[] v = logMel.toArray();
        double[] mean = new double[nMels];
        int frames = logMel.shape()[0];
        for (int f = 0; f < frames; f++) {
            for (int m = 0; m < nMels; m++) {
                mean[m] += v[f * nMels + m] / frames;
            }
        }
        int peak = 0;
        for (int m = 1; m < nMels; m++) {
            if (mean[m] > mean[peak]) {
                peak = m;
            }
        }
        double[] edges = Audio.melBandEdges(nMels, 0, sr / 2.0);
        assertTrue(edges[peak] < 1000 && 1000 < edges[peak + 2],
                "peak band " + peak + " spans " + edges[peak] + ".." + edges[peak + 2] + " Hz");
        double[] sorted = mean.clone();
        Arrays.sort(sorted);
        assertTrue(mean[peak] - sorted[nMels / 2] > 5, "peak " + mean[peak] + " vs median " + sorted[nMels / 2]);
    }

    @Test
    void mfccOfAToneIsFiniteDeterministicAndShapedFramesByCoefficients() {
        AudioClip clip = new AudioClip(sine(440, 16000, 8000), 16000);
        Tensor a = Audio.mfcc(clip, 16000, 400, 160, 40, 13);
        Tensor b = Audio.mfcc(clip, 16000, 400, 160, 40, 13);
        assertArrayEquals(new int[] {1 + 8000 / 160, 13}, a.shape());
        assertArrayEquals(a.toArray(), b.toArray());
        for (float x : a.toArray()) {
            assertTrue(Float.isFinite(x));
        }
        // MFCC equals the DCT of the log-mel path step by step.
        float[][] logMel = Audio.logMel(Audio.stft(clip.samples(), 400, 160),
                Audio.melFilterbank(16000, 400, 40, 0, 8000));
        float[][] c = Audio.mfcc(logMel, 13);
        assertArrayEquals(Tensor.of(c).toArray(), a.toArray());
    }

    @Test
    void dctMatrixIsOrthonormalAndMatchesScipyOrtho() {
        float[][] d = Audio.dctMatrix(40, 40);
        for (int i = 0; i < 40; i++) {
            for (int j = 0; j < 40; j++) {
                double dot = 0;
                for (int k = 0; k < 40; k++) {
                    dot += (double) d[i][k] * d[j][k];
                }
                assertEquals(i == j ? 1 : 0, dot, 1e-6, "row " + i + " . row " + j);
            }
        }
        // scipy.fft.dct([1, 2, 3, 4], type=2, norm="ortho")
        assertArrayEquals(new float[] {5f, -2.2304425f, 0f, -0.15851267f}, Audio.dct(new float[] {1, 2, 3, 4}, 4), 1e-6f);
    }

    @Test
    void slaneyMelScaleIsLinearBelow1kHzAndLogAbove() {
        assertEquals(0, Audio.hzToMel(0), 0);
        assertEquals(6.6, Audio.hzToMel(440), 1e-12);
        assertEquals(15, Audio.hzToMel(1000), 1e-12);
        assertEquals(15 + 27 * Math.log(4) / Math.log(6.4), Audio.hzToMel(4000), 1e-9);
        for (double f : new double[] {0, 300, 999, 1000, 2500, 8000}) {
            assertEquals(f, Audio.melToHz(Audio.hzToMel(f)), 1e-9);
        }
    }

    @Test
    void melFiltersAreNonNegativeTrianglesOfUnitAreaInHz() {
        int sr = 16000;
        int nFft = 2048;
        float[][] fb = Audio.melFilterbank(sr, nFft, 40, 0, 8000);
        assertEquals(40, fb.length);
        assertEquals(nFft / 2 + 1, fb[0].length);
        double binHz = (double) sr / nFft;
        for (int m = 1; m < fb.length; m++) {
            double area = 0;
            for (float w : fb[m]) {
                assertTrue(w >= 0);
                area += w * binHz;
            }
            assertEquals(1.0, area, 0.03, "band " + m);
        }
        assertThrows(IllegalArgumentException.class, () -> Audio.melFilterbank(sr, nFft, 40, 0, 9000));
    }

    @Test
    void stftHasCentredFramesAndFindsTheToneBin() {
        int n = 1000;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.cos(2 * Math.PI * 8 * i / 64.0); // bin 8 of a 64-point FFT
        }
        float[][] power = Audio.stft(x, 64, 16);
        assertEquals(1 + n / 16, power.length);
        assertEquals(33, power[0].length);
        float[] mid = power[power.length / 2];
        int best = 0;
        for (int k = 1; k < mid.length; k++) {
            best = mid[k] > mid[best] ? k : best;
        }
        assertEquals(8, best);
        float[][] mag = Audio.stft(x, 64, 16, null, Audio.Spectrum.MAGNITUDE);
        assertEquals(Math.sqrt(mid[8]), mag[power.length / 2][8], 1e-3);
        // Non-power-of-two frames (25 ms at 16 kHz) go through Bluestein.
        float[][] s400 = Audio.stft(x, 400, 160);
        assertEquals(1 + n / 160, s400.length);
        assertEquals(201, s400[0].length);
    }

    @Test
    void resamplingASineKeepsItsFrequency() {
        float[] x = sine(1000, 16000, 16000);
        float[] down = Audio.resample(x, 16000, 8000);
        assertEquals(8000, down.length);
        assertEquals(1000, dominantFrequency(down, 2000, 4096, 8000), 8000.0 / 4096);
        assertEquals(0.5 / Math.sqrt(2), rms(down, 100, 7900), 0.01);

        float[] up = Audio.resample(sine(440, 8000, 8000), 8000, 22050);
        assertEquals(22050, up.length);
        assertEquals(440, dominantFrequency(up, 4000, 8192, 22050), 22050.0 / 8192);
        float[] odd = Audio.resample(x, 16000, 44100);
        assertEquals(44100, odd.length);
        assertEquals(1000, dominantFrequency(odd, 10000, 8192, 44100), 44100.0 / 8192);
    }

    @Test
    void downsamplingRemovesToneAboveTheNewNyquistInsteadOfAliasingIt() {
        float[] x = sine(6000, 16000, 16000); // would alias to 2 kHz at 8 kHz
        float[] down = Audio.resample(x, 16000, 8000);
        assertTrue(rms(down, 100, 7900) < 0.005, "rms " + rms(down, 100, 7900));
    }

    @Test
    void periodicAndSymmetricHann() {
        assertArrayEquals(new float[] {0f, 0.5f, 1f, 0.5f}, Audio.hann(4), 1e-7f);
        assertArrayEquals(new float[] {0f, 0.5f, 1f, 0.5f, 0f}, Audio.hann(5, false), 1e-7f);
    }

    @Test
    void framingPreEmphasisPaddingAndNormalisation() {
        float[] x = {1, 2, 3, 4, 5, 6, 7};
        float[][] frames = Audio.frame(x, 3, 2);
        assertEquals(3, frames.length);
        assertArrayEquals(new float[] {5, 6, 7}, frames[2]);
        assertArrayEquals(new float[] {0, 4, 0}, Audio.frame(x, 3, 2, new float[] {0, 1, 0})[1]);
        assertEquals(0, Audio.frame(new float[2], 3, 1).length);

        assertArrayEquals(new float[] {1, 2 - 0.97f, 3 - 1.94f}, Audio.preEmphasis(new float[] {1, 2, 3}, 0.97f), 1e-6f);
        assertArrayEquals(new float[] {1, 2, 0, 0}, Audio.padOrTrim(new float[] {1, 2}, 4));
        assertArrayEquals(new float[] {1}, Audio.padOrTrim(new float[] {1, 2}, 1));
        float[][] padded = Audio.padOrTrim(new float[][] {{1, 2}}, 3);
        assertArrayEquals(new float[] {0, 0}, padded[2]);

        float[][] norm = Audio.normalize(new float[][] {{1, 10, 5}, {3, 20, 5}, {5, 60, 5}});
        for (int j = 0; j < 3; j++) {
            double mean = 0;
            double sq = 0;
            for (float[] row : norm) {
                mean += row[j] / 3.0;
                sq += row[j] * row[j] / 3.0;
            }
            assertEquals(0, mean, 1e-6);
            assertEquals(j == 2 ? 0 : 1, sq, 1e-6, "column " + j);
        }
        assertArrayEquals(new float[] {-1.2247449f, 0, 1.2247449f},
                new float[] {norm[0][0], norm[1][0], norm[2][0]}, 1e-6f);
    }
}
