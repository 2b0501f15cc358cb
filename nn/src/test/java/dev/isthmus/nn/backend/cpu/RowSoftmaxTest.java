package dev.isthmus.nn.backend.cpu;

import dev.isthmus.cuda.RequiresGpu;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

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
     * bit (measured: 1 ulp), so there values and gradients agree within 2 ulps (of the row's upstream
     * gradient too, for the gradients).
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
            float[] va = fused.toArray();
            float[] vb = composed.toArray();
            for (int i = 0; i < va.length; i++) {
                if (exact) {
                    assertEquals(Float.floatToRawIntBits(vb[i]), Float.floatToRawIntBits(va[i]), label.dtype() + " value " + i);
                } else {
                    assertEquals(vb[i], va[i], 2 * Math.ulp(vb[i]), label.dtype() + " value " + i);
                }
            }
            float[] ga = a.grad().toArray();
            float[] gb = b.grad().toArray();
            for (int i = 0; i < ga.length; i++) {
                String where = label.dtype() + " gradient [" + i / cols + ", " + i % cols + "]: " + gb[i] + " vs " + ga[i];
                if (exact || Float.isNaN(gb[i])) {
                    assertEquals(Float.floatToRawIntBits(gb[i]), Float.floatToRawIntBits(ga[i]), where);
                } else {
                    // a last-bit change of a log-probability moves exp(y)·g by that bit of the row's g
                    assertEquals(gb[i], ga[i], 2 * Math.ulp(gb[i]) + 2 * Math.ulp(up[i / cols]), where);
                }
            }
        }
        Tensor bad = Tensor.of(x, rows, cols);
        int[] outOfRange = labels.clone();
        outOfRange[5] = cols;
        assertThrows(dev.isthmus.nn.tensor.IndexOutOfRangeException.class, () -> bad.logSoftmaxAt(Tensor.of(outOfRange, rows)));
    }

    /**
     * The fused scaled, biased softmax gives what mul, add and softmax give: rows of attention's
     * shape [n, heads, tq, t] split over the threads, a causal bias [1, 1, tq, t] and a padding bias
     * [n, 1, 1, t], wide rows too. Bit for bit on the plain path; with the SIMD exp (see above) within
     * 2 ulps of each value and of the largest gradient (a weight's last bit, through the row's sum).
     */
    @Test
    void scaledSoftmaxEqualsScaleAddAndSoftmax() {
        boolean exact = !Sgemm.vectorized();
        SplittableRandom r = new SplittableRandom(5);
        int n = 9;
        int heads = 4;
        for (int t : new int[] {64, 1001}) {
            int tq = t == 64 ? 64 : 3;
            float[] x = new float[n * heads * tq * t];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) ((r.nextDouble() * 2 - 1) * 8);
            }
            float[] causal = new float[tq * t];
            for (int i = 0; i < tq; i++) {
                for (int j = i + 1; j < t; j++) {
                    causal[i * t + j] = -1e9f;
                }
            }
            float[] padding = new float[n * t];
            for (int i = 0; i < padding.length; i++) {
                padding[i] = r.nextInt(4) == 0 ? -1e9f : 0f;
            }
            float[] up = new float[x.length];
            for (int i = 0; i < up.length; i++) {
                up[i] = (float) (r.nextDouble() * 2 - 1);
            }
            for (Tensor bias : new Tensor[] {null, Tensor.of(causal, 1, 1, tq, t), Tensor.of(padding, n, 1, 1, t)}) {
                Tensor a = Tensor.of(x, n, heads, tq, t).requiresGrad(true);
                Tensor fused = a.scaledSoftmax(0.25f, bias);
                fused.mul(Tensor.of(up, n, heads, tq, t)).sum().backward();
                Tensor b = Tensor.of(x, n, heads, tq, t).requiresGrad(true);
                Tensor scaled = b.mul(0.25f);
                Tensor composed = (bias == null ? scaled : scaled.add(bias)).softmax(-1);
                composed.mul(Tensor.of(up, n, heads, tq, t)).sum().backward();
                float[][] pairs = {composed.toArray(), fused.toArray(), b.grad().toArray(), a.grad().toArray()};
                for (int p = 0; p < 4; p += 2) {
                    float largest = 0f;
                    for (float v : pairs[p]) {
                        largest = Math.max(largest, Math.abs(v));
                    }
                    for (int i = 0; i < pairs[p].length; i++) {
                        String where = (p == 0 ? "value " : "gradient ") + i + " (t " + t + ", bias "
                                + (bias == null ? "none" : java.util.Arrays.toString(bias.shape())) + ")";
                        if (exact) {
                            assertEquals(Float.floatToRawIntBits(pairs[p][i]), Float.floatToRawIntBits(pairs[p + 1][i]), where);
                        } else {
                            // a last-bit change of a weight moves y·(g − Σ g·y) by that bit of the
                            // row's largest terms, not of the (smaller) difference
                            assertEquals(pairs[p][i], pairs[p + 1][i], 2 * Math.ulp(pairs[p][i]) + 2 * Math.ulp(largest), where);
                        }
                    }
                }
            }
        }
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
