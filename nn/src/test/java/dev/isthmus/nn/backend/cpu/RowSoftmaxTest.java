package dev.isthmus.nn.backend.cpu;

import dev.isthmus.cuda.RequiresGpu;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Wide rows (the recommender's 9,000 classes plus a tail that is not a multiple of the vector
 * length) against a double-precision reference, forward and backward, softmax and log-softmax.
 * Surefire runs it with and without the Vector API module, so both exp paths are checked. Logits
 * around 1e4 pin log-softmax to float rounding of the exact value, here and on CUDA.
 */
class RowSoftmaxTest {
    private static final int ROWS = 3;
    private static final int COLS = 9001;

    private static float[] random(long seed, float scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[ROWS * COLS];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }

    private static float[] random(long seed, float scale, float offset) {
        float[] v = random(seed, scale);
        for (int i = 0; i < v.length; i++) {
            v[i] += offset;
        }
        return v;
    }

    /** log-softmax of row {@code row} of an [n, cols] matrix, in double: (x - max) - log(sum exp(x - max)). */
    static double[] logSoftmaxRow(float[] x, int row, int cols) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < cols; j++) {
            max = Math.max(max, x[row * cols + j]);
        }
        double sum = 0;
        for (int j = 0; j < cols; j++) {
            sum += Math.exp(x[row * cols + j] - max);
        }
        double[] out = new double[cols];
        for (int j = 0; j < cols; j++) {
            out[j] = (x[row * cols + j] - max) - Math.log(sum);
        }
        return out;
    }

    /** |actual - exact| within {@code ulps} units in the last place of the float nearest the exact value. */
    static void withinUlps(double exact, float actual, int ulps, String what) {
        double error = Math.abs(actual - exact);
        double ulp = Math.ulp((float) exact);
        assertTrue(error <= ulps * ulp, what + ": " + actual + " vs exact " + exact + " is " + error / ulp + " ulp off");
    }

    private static double[] softmaxRow(float[] x, int row) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < COLS; j++) {
            max = Math.max(max, x[row * COLS + j]);
        }
        double sum = 0;
        double[] e = new double[COLS];
        for (int j = 0; j < COLS; j++) {
            e[j] = Math.exp(x[row * COLS + j] - max);
            sum += e[j];
        }
        for (int j = 0; j < COLS; j++) {
            e[j] /= sum;
        }
        return e;
    }

    private static void close(double expected, float actual, String what) {
        assertEquals(expected, actual, 1e-6 + 1e-5 * Math.abs(expected), what);
    }

    @Test
    void softmaxAndLogSoftmaxMatchADoubleReference() {
        float[] x = random(1, 8f);
        Tensor t = Tensor.of(x, ROWS, COLS);
        float[] p = t.softmax(-1).toArray();
        float[] lp = t.logSoftmax(-1).toArray();
        for (int i = 0; i < ROWS; i++) {
            double[] ref = softmaxRow(x, i);
            for (int j = 0; j < COLS; j++) {
                close(ref[j], p[i * COLS + j], "softmax[" + i + "," + j + "]");
                close(Math.log(ref[j]), lp[i * COLS + j], "log-softmax[" + i + "," + j + "]");
            }
        }
    }

    @Test
    void gradientsMatchADoubleReference() {
        float[] x = random(2, 4f);
        float[] w = random(3, 1f);
        for (boolean log : new boolean[] {false, true}) {
            Tensor t = Tensor.of(x, ROWS, COLS).requiresGrad(true);
            Tensor y = log ? t.logSoftmax(-1) : t.softmax(-1);
            y.mul(Tensor.of(w, ROWS, COLS)).sum().backward();
            float[] g = t.grad().toArray();
            for (int i = 0; i < ROWS; i++) {
                double[] p = softmaxRow(x, i);
                double dot = 0;
                for (int j = 0; j < COLS; j++) {
                    dot += log ? w[i * COLS + j] : w[i * COLS + j] * p[j];
                }
                for (int j = 0; j < COLS; j++) {
                    double wj = w[i * COLS + j];
                    double expected = log ? wj - p[j] * dot : p[j] * (wj - dot);
                    close(expected, g[i * COLS + j], (log ? "log-softmax" : "softmax") + " gradient [" + i + "," + j + "]");
                }
            }
        }
    }

    private static void assertLargeNearbyLogitsExact(Device device) {
        float[] x = {1e4f, 1e4f + 1};
        float[] lp = Tensor.of(device, x, 1, 2).logSoftmax(-1).toArray();
        double[] exact = logSoftmaxRow(x, 0, 2);
        withinUlps(exact[0], lp[0], 1, "log-softmax[0] of [1e4, 1e4+1] on " + device);
        withinUlps(exact[1], lp[1], 1, "log-softmax[1] of [1e4, 1e4+1] on " + device);
    }

    private static void assertWideRowsAroundTenThousandExact(Device device) {
        float[] x = random(4, 8f, 1e4f);
        float[] lp = Tensor.of(device, x, ROWS, COLS).logSoftmax(-1).toArray();
        for (int i = 0; i < ROWS; i++) {
            double[] exact = logSoftmaxRow(x, i, COLS);
            for (int j = 0; j < COLS; j++) {
                // the row's sum of 9001 exponentials (float lanes on the vector path) adds an ulp or two
                withinUlps(exact[j], lp[i * COLS + j], 4, "log-softmax[" + i + "," + j + "] on " + device);
            }
        }
    }

    /**
     * The fused pick-through-log-softmax gives the values and gradients of the two ops it replaces,
     * bit for bit: wide rows, enough of them that the threads split them, int32 and int64 labels,
     * upstream gradients of both signs, a zero and a NaN. Bit for bit on the plain path; with the
     * Vector API the two runs may see the SIMD exp interpreted and compiled, which differ in the last
     * bit (measured: 1 ulp), so there the gradients agree within 2 ulps.
     */
    @Test
    void logSoftmaxAtEqualsLogSoftmaxThenPickBitForBit() {
        boolean exact = !Sgemm.vectorized();
        int rows = 67;
        int cols = 9001;
        SplittableRandom r = new SplittableRandom(11);
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) ((r.nextDouble() * 2 - 1) * 6);
        }
        int[] labels = new int[rows];
        long[] wide = new long[rows];
        float[] up = new float[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = i == 0 ? 0 : i == 1 ? cols - 1 : r.nextInt(cols);
            wide[i] = labels[i];
            up[i] = (float) (r.nextDouble() * 2 - 1);
        }
        up[2] = 0f;
        up[3] = Float.NaN;
        for (Tensor label : new Tensor[] {Tensor.of(labels, rows), Tensor.of(wide, rows)}) {
            Tensor a = Tensor.of(x, rows, cols).requiresGrad(true);
            Tensor fused = a.logSoftmaxAt(label);
            fused.mul(Tensor.of(up, rows)).sum().backward();
            Tensor b = Tensor.of(x, rows, cols).requiresGrad(true);
            Tensor composed = b.logSoftmax(-1).pick(label);
            composed.mul(Tensor.of(up, rows)).sum().backward();
            assertArrayEquals(composed.toArray(), fused.toArray(), label.dtype() + " values");
            float[] ga = a.grad().toArray();
            float[] gb = b.grad().toArray();
            for (int i = 0; i < ga.length; i++) {
                String where = label.dtype() + " gradient [" + i / cols + ", " + i % cols + "]: " + gb[i] + " vs " + ga[i];
                if (exact || Float.isNaN(gb[i])) {
                    assertEquals(Float.floatToRawIntBits(gb[i]), Float.floatToRawIntBits(ga[i]), where);
                } else {
                    assertEquals(gb[i], ga[i], 2 * Math.ulp(gb[i]), where);
                }
            }
        }
        Tensor bad = Tensor.of(x, rows, cols);
        int[] outOfRange = labels.clone();
        outOfRange[5] = cols;
        assertThrows(dev.isthmus.nn.tensor.IndexOutOfRangeException.class, () -> bad.logSoftmaxAt(Tensor.of(outOfRange, rows)));
    }

    @Test
    void logSoftmaxOfLargeNearbyLogitsIsExactToFloatRounding() {
        assertLargeNearbyLogitsExact(Device.CPU);
    }

    @Test
    void wideLogSoftmaxRowsAroundTenThousandKeepTheirDigits() {
        assertWideRowsAroundTenThousandExact(Device.CPU);
    }

    @Test
    @RequiresGpu
    void cudaLogSoftmaxOfLargeLogitsIsExactToFloatRounding() {
        assertLargeNearbyLogitsExact(Device.cuda(0));
        assertWideRowsAroundTenThousandExact(Device.cuda(0));
    }
}
