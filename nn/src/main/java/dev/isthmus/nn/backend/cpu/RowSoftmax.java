package dev.isthmus.nn.backend.cpu;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * Softmax and log-softmax over rows, forward and backward, on rows staged into float[] scratch.
 * The exponentials are most of the work (a 256×9000 cross-entropy is 4.6 M of them per step), so
 * with the Vector API present they go through {@link VectorRowMath} (the JDK's SIMD exp);
 * otherwise plain loops. Sums are accumulated per row, so results never depend on threads.
 */
final class RowSoftmax {
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[3][0]);
    private static final boolean VECTOR = Sgemm.vectorized();

    private RowSoftmax() {
    }

    private static float[][] scratch(int c) {
        float[][] s = SCRATCH.get();
        if (s[0].length < c) {
            s = new float[][] {new float[c], new float[c], new float[c]};
            SCRATCH.set(s);
        }
        return s;
    }

    /** The offset (in floats) of row r's bias row. */
    @FunctionalInterface
    interface BiasRows {
        long of(long r);
    }

    /**
     * softmax(scale·x + bias) of each row, the scaled and biased row made in scratch as
     * {@code mul(scale).add(bias)} makes it ((scale·x + 0) + bias, in float), then {@link #forward}'s
     * arithmetic: the same bits as the three ops. bias null for none.
     */
    static void scaledForward(MemorySegment x, float scale, MemorySegment bias, BiasRows biasRows, MemorySegment out,
                              int c, long fromRow, long toRow) {
        float[][] s = scratch(c);
        float[] row = s[0];
        float[] res = s[1];
        float[] b = s[2];
        for (long r = fromRow; r < toRow; r++) {
            long base = r * c;
            MemorySegment.copy(x, JAVA_FLOAT, base * Float.BYTES, row, 0, c);
            for (int j = 0; j < c; j++) {
                row[j] = scale * row[j] + 0f;
            }
            if (bias != null) {
                MemorySegment.copy(bias, JAVA_FLOAT, biasRows.of(r) * Float.BYTES, b, 0, c);
                for (int j = 0; j < c; j++) {
                    row[j] = row[j] + b[j];
                }
            }
            softmaxRow(row, res, c, false);
            MemorySegment.copy(res, 0, out, JAVA_FLOAT, base * Float.BYTES, c);
        }
    }

    static void forward(MemorySegment x, MemorySegment out, int c, long fromRow, long toRow, boolean log) {
        float[][] s = scratch(c);
        float[] row = s[0];
        float[] res = s[1];
        for (long r = fromRow; r < toRow; r++) {
            long base = r * c;
            MemorySegment.copy(x, JAVA_FLOAT, base * Float.BYTES, row, 0, c);
            softmaxRow(row, res, c, log);
            MemorySegment.copy(res, 0, out, JAVA_FLOAT, base * Float.BYTES, c);
        }
    }

    /** res = softmax (or log-softmax) of row[0, c). */
    private static void softmaxRow(float[] row, float[] res, int c, boolean log) {
        float max = VECTOR ? VectorRowMath.max(row, c) : max(row, c);
        double sum = VECTOR ? VectorRowMath.expShifted(row, max, res, c) : expShifted(row, max, res, c);
        if (log) {
            // (x - max) - log(sum), rounded once: adding log(sum) to a large max first would
            // round it to the max's ulp (1e-3 at 1e4) and lose the result's digits
            double logSum = Math.log(sum);
            for (int j = VECTOR ? VectorRowMath.logShifted(row, max, logSum, res, c) : 0; j < c; j++) {
                res[j] = (float) (((double) row[j] - max) - logSum);
            }
        } else {
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < c; j++) {
                res[j] *= inv;
            }
        }
    }

    /**
     * The softmax (or log-softmax) backward of each row, then (scale ≠ 1) times scale as
     * {@code mul(scale)}'s backward multiplies: the gradient of {@link #scaledForward}'s input.
     */
    static void backward(MemorySegment y, MemorySegment gy, MemorySegment gx, int c, long fromRow, long toRow,
                         boolean log, float scale) {
        float[][] s = scratch(c);
        float[] yr = s[0];
        float[] gr = s[1];
        float[] res = s[2];
        for (long r = fromRow; r < toRow; r++) {
            long base = r * c;
            MemorySegment.copy(y, JAVA_FLOAT, base * Float.BYTES, yr, 0, c);
            MemorySegment.copy(gy, JAVA_FLOAT, base * Float.BYTES, gr, 0, c);
            double dot = 0;
            if (log) {
                if (VECTOR) {
                    dot = VectorRowMath.sum(gr, c);
                } else {
                    for (int j = 0; j < c; j++) {
                        dot += gr[j];
                    }
                }
                // gx = g - exp(y) * sum(g): exp(y) is the softmax the log-softmax came from
                if (VECTOR) {
                    VectorRowMath.expShifted(yr, 0f, res, c);
                } else {
                    expShifted(yr, 0f, res, c);
                }
                float d = (float) dot;
                for (int j = 0; j < c; j++) {
                    res[j] = gr[j] - res[j] * d;
                }
            } else {
                if (VECTOR) {
                    dot = VectorRowMath.dot(gr, yr, c);
                } else {
                    for (int j = 0; j < c; j++) {
                        dot += gr[j] * yr[j];
                    }
                }
                float d = (float) dot;
                for (int j = 0; j < c; j++) {
                    res[j] = yr[j] * (gr[j] - d);
                }
            }
            if (scale != 1f) {
                for (int j = 0; j < c; j++) {
                    res[j] *= scale;
                }
            }
            MemorySegment.copy(res, 0, gx, JAVA_FLOAT, base * Float.BYTES, c);
        }
    }

    /** Row r's label. */
    @FunctionalInterface
    interface Labels {
        int of(long r);
    }

    /**
     * {@link #backward} (log) of the gradient that picking y[r, label] sends back (g[r] at the label,
     * zero elsewhere), without staging that mostly-zero row: the same arithmetic on the same values
     * (the row's sum is the one non-zero element), so the same bits.
     */
    static void logPickBackward(MemorySegment y, MemorySegment g, MemorySegment gx, int c, long fromRow, long toRow,
                                Labels labels) {
        float[][] s = scratch(c);
        float[] yr = s[0];
        float[] res = s[2];
        for (long r = fromRow; r < toRow; r++) {
            long base = r * c;
            int label = labels.of(r);
            // what the pick's backward leaves in a zeroed row: 0 + g
            float picked = 0f + g.getAtIndex(JAVA_FLOAT, r);
            MemorySegment.copy(y, JAVA_FLOAT, base * Float.BYTES, yr, 0, c);
            // the exponentials only (their sum is not used here)
            if (VECTOR) {
                VectorMath.exp(yr, 0, 0f, res, 0, c);
            } else {
                expShifted(yr, 0f, res, c);
            }
            float d = picked; // the row's sum
            float atLabel = picked - res[label] * d;
            for (int j = 0; j < c; j++) {
                res[j] = 0f - res[j] * d;
            }
            res[label] = atLabel;
            MemorySegment.copy(res, 0, gx, JAVA_FLOAT, base * Float.BYTES, c);
        }
    }

    private static float max(float[] a, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, a[i]);
        }
        return m;
    }

    /** out[i] = exp(a[i] - shift); returns the sum in double. */
    static double expShifted(float[] a, float shift, float[] out, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(a[i] - shift);
            out[i] = e;
            sum += e;
        }
        return sum;
    }
}
