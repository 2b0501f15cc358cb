package dev.isthmus.nn.backend.cpu;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * Layer normalization over rows, forward and backward, one pass over each row where the composed
 * form (mean, subtract, square, mean, add, sqrt, divide, scale, shift, and their gradients) made
 * about twenty. Rows are staged into float[] scratch; the row statistics are summed in double
 * (through {@link VectorRowMath} when the Vector API is present), per row, so results never depend
 * on threads; the parameter gradients are summed over rows in row order, per column.
 */
final class RowNorm {
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][0]);
    private static final boolean VECTOR = Sgemm.vectorized();

    private RowNorm() {
    }

    private static float[][] scratch(int c) {
        float[][] s = SCRATCH.get();
        if (s[0].length < c) {
            s = new float[][] {new float[c], new float[c], new float[c], new float[c]};
            SCRATCH.set(s);
        }
        return s;
    }

    private static double sum(float[] a, int n) {
        if (VECTOR) {
            return VectorRowMath.sum(a, n);
        }
        double s = 0;
        for (int j = 0; j < n; j++) {
            s += a[j];
        }
        return s;
    }

    private static double dot(float[] a, float[] b, int n) {
        if (VECTOR) {
            return VectorRowMath.dot(a, b, n);
        }
        double s = 0;
        for (int j = 0; j < n; j++) {
            s += a[j] * b[j];
        }
        return s;
    }

    static void forward(MemorySegment x, MemorySegment gamma, MemorySegment beta, float epsilon, MemorySegment y,
                        MemorySegment mean, MemorySegment rstd, int c, long fromRow, long toRow) {
        float[][] s = scratch(c);
        float[] row = s[0];
        float[] g = s[1];
        float[] b = s[2];
        if (gamma != null) {
            MemorySegment.copy(gamma, JAVA_FLOAT, 0, g, 0, c);
        }
        if (beta != null) {
            MemorySegment.copy(beta, JAVA_FLOAT, 0, b, 0, c);
        }
        for (long r = fromRow; r < toRow; r++) {
            long base = r * c;
            MemorySegment.copy(x, JAVA_FLOAT, base * Float.BYTES, row, 0, c);
            float m = (float) (sum(row, c) / c);
            for (int j = 0; j < c; j++) {
                row[j] -= m;
            }
            float rs = (float) (1.0 / Math.sqrt(dot(row, row, c) / c + epsilon));
            for (int j = 0; j < c; j++) {
                row[j] *= rs;
            }
            if (gamma != null) {
                for (int j = 0; j < c; j++) {
                    row[j] *= g[j];
                }
            }
            if (beta != null) {
                for (int j = 0; j < c; j++) {
                    row[j] += b[j];
                }
            }
            MemorySegment.copy(row, 0, y, JAVA_FLOAT, base * Float.BYTES, c);
            mean.setAtIndex(JAVA_FLOAT, r, m);
            rstd.setAtIndex(JAVA_FLOAT, r, rs);
        }
    }

    /**
     * gx = rstd·(dŷ − mean(dŷ) − x̂·mean(dŷ·x̂)) per row, with x̂ = (x − mean)·rstd and dŷ = g·gamma.
     */
    static void backward(MemorySegment g, MemorySegment x, MemorySegment gamma, MemorySegment mean,
                         MemorySegment rstd, MemorySegment gx, int c, long fromRow, long toRow) {
        float[][] s = scratch(c);
        float[] xh = s[0];
        float[] dy = s[1];
        float[] gm = s[3];
        if (gamma != null) {
            MemorySegment.copy(gamma, JAVA_FLOAT, 0, gm, 0, c);
        }
        for (long r = fromRow; r < toRow; r++) {
            long base = r * c;
            float m = mean.getAtIndex(JAVA_FLOAT, r);
            float rs = rstd.getAtIndex(JAVA_FLOAT, r);
            MemorySegment.copy(x, JAVA_FLOAT, base * Float.BYTES, xh, 0, c);
            MemorySegment.copy(g, JAVA_FLOAT, base * Float.BYTES, dy, 0, c);
            for (int j = 0; j < c; j++) {
                xh[j] = (xh[j] - m) * rs;
            }
            if (gamma != null) {
                for (int j = 0; j < c; j++) {
                    dy[j] *= gm[j];
                }
            }
            float a = (float) (sum(dy, c) / c);
            float b = (float) (dot(dy, xh, c) / c);
            for (int j = 0; j < c; j++) {
                dy[j] = rs * (dy[j] - a - xh[j] * b);
            }
            MemorySegment.copy(dy, 0, gx, JAVA_FLOAT, base * Float.BYTES, c);
        }
    }

    /** gGamma[j] = Σ over rows of g·x̂ and gBeta[j] = Σ of g, for the columns [from, to). */
    static void parameterGradients(MemorySegment g, MemorySegment x, MemorySegment mean, MemorySegment rstd, int c,
                                   long rows, int from, int to, MemorySegment gGamma, MemorySegment gBeta) {
        int width = to - from;
        if (width <= 0) {
            return;
        }
        double[] accGamma = new double[width];
        double[] accBeta = new double[width];
        float[] xr = new float[width];
        float[] gr = new float[width];
        for (long r = 0; r < rows; r++) {
            long at = (r * c + from) * Float.BYTES;
            MemorySegment.copy(g, JAVA_FLOAT, at, gr, 0, width);
            if (gBeta != null) {
                for (int j = 0; j < width; j++) {
                    accBeta[j] += gr[j];
                }
            }
            if (gGamma != null) {
                float m = mean.getAtIndex(JAVA_FLOAT, r);
                float rs = rstd.getAtIndex(JAVA_FLOAT, r);
                MemorySegment.copy(x, JAVA_FLOAT, at, xr, 0, width);
                for (int j = 0; j < width; j++) {
                    accGamma[j] += gr[j] * ((xr[j] - m) * rs);
                }
            }
        }
        for (int j = 0; j < width; j++) {
            if (gGamma != null) {
                gGamma.setAtIndex(JAVA_FLOAT, from + j, (float) accGamma[j]);
            }
            if (gBeta != null) {
                gBeta.setAtIndex(JAVA_FLOAT, from + j, (float) accBeta[j]);
            }
        }
    }
}
