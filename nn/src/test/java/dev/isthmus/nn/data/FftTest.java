package dev.isthmus.nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class FftTest {

    private static double[][] directDft(double[] re, double[] im) {
        int n = re.length;
        double[] outRe = new double[n];
        double[] outIm = new double[n];
        for (int k = 0; k < n; k++) {
            for (int j = 0; j < n; j++) {
                double a = -2 * Math.PI * (((long) j * k) % n) / n;
                outRe[k] += re[j] * Math.cos(a) - im[j] * Math.sin(a);
                outIm[k] += re[j] * Math.sin(a) + im[j] * Math.cos(a);
            }
        }
        return new double[][] {outRe, outIm};
    }

    private static double[] random(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble() * 2 - 1;
        }
        return v;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8, 64, 1024, 3, 6, 12, 100, 400, 997})
    void forwardMatchesDirectDftForPowerOfTwoAndBluesteinLengths(int n) {
        Random rng = new Random(n);
        double[] re = random(rng, n);
        double[] im = random(rng, n);
        double[][] expected = directDft(re, im);
        Fft.of(n).forward(re, im);
        for (int k = 0; k < n; k++) {
            assertEquals(expected[0][k], re[k], 1e-9 * Math.max(1, n), "re[" + k + "] n=" + n);
            assertEquals(expected[1][k], im[k], 1e-9 * Math.max(1, n), "im[" + k + "] n=" + n);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 16, 512, 5, 400, 441})
    void inverseUndoesForward(int n) {
        Random rng = new Random(100 + n);
        double[] re = random(rng, n);
        double[] im = random(rng, n);
        double[] re0 = re.clone();
        double[] im0 = im.clone();
        Fft fft = Fft.of(n);
        fft.forward(re, im);
        fft.inverse(re, im);
        for (int i = 0; i < n; i++) {
            assertEquals(re0[i], re[i], 1e-12);
            assertEquals(im0[i], im[i], 1e-12);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 16, 15, 400})
    void realFftKeepsNonNegativeBinsAndInvertsBack(int n) {
        Random rng = new Random(7 * n);
        float[] x = new float[n];
        double[] re = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rng.nextDouble() * 2 - 1);
            re[i] = x[i];
        }
        double[][] expected = directDft(re, new double[n]);
        Fft fft = Fft.of(n);
        Fft.Complex half = fft.rfft(x);
        assertEquals(n / 2 + 1, half.re().length);
        for (int k = 0; k <= n / 2; k++) {
            assertEquals(expected[0][k], half.re()[k], 1e-9 * n);
            assertEquals(expected[1][k], half.im()[k], 1e-9 * n);
        }
        float[] back = fft.irfft(half);
        for (int i = 0; i < n; i++) {
            assertEquals(x[i], back[i], 1e-6f);
        }
    }

    @Test
    void pureCosineLandsInItsBin() {
        int n = 64;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.cos(2 * Math.PI * 5 * i / n);
        }
        double[] p = Fft.rfftOf(x).power();
        for (int k = 0; k < p.length; k++) {
            assertEquals(k == 5 ? (n / 2.0) * (n / 2.0) : 0, p[k], 1e-3, "bin " + k); // float input
        }
    }

    @Test
    void wrongLengthIsRejectedWithBothSizes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Fft.of(8).forward(new double[4], new double[4]));
        assertEquals("Fft: this transform has length 8, got arrays of length 4", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Fft.of(0));
    }
}
