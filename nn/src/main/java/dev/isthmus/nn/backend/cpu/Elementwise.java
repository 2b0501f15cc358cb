package dev.isthmus.nn.backend.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.isthmus.nn.backend.BinaryOp;
import dev.isthmus.nn.backend.UnaryOp;
import java.lang.foreign.MemorySegment;

/**
 * Elementwise loops. Each range is staged through small per-thread float[] chunks: C2 compiles
 * (and vectorises) plain array loops, while long-indexed loops over segments stay scalar and
 * measured 2–3× slower (StorageBenchmark). The op is chosen once per chunk, not per element, so
 * every loop stays small enough for the JIT to inline.
 */
final class Elementwise {
    private static final int CHUNK = 2048;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][CHUNK]);

    private Elementwise() {
    }

    private static void load(MemorySegment s, long from, float[] into, int n) {
        MemorySegment.copy(s, JAVA_FLOAT, from * Float.BYTES, into, 0, n);
    }

    private static void store(float[] from, MemorySegment s, long at, int n) {
        MemorySegment.copy(from, 0, s, JAVA_FLOAT, at * Float.BYTES, n);
    }

    static void unary(UnaryOp op, MemorySegment x, MemorySegment o, long from, long to, float p, float q) {
        float[] a = SCRATCH.get()[0];
        for (long start = from; start < to; start += CHUNK) {
            int n = (int) Math.min(CHUNK, to - start);
            load(x, start, a, n);
            unary(op, a, n, p, q);
            store(a, o, start, n);
        }
    }

    /** a[i] = op(a[i]) for i in [0, n). */
    private static void unary(UnaryOp op, float[] a, int n, float p, float q) {
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) a[i] = -a[i]; }
            case EXP -> { for (int i = 0; i < n; i++) a[i] = (float) Math.exp(a[i]); }
            case LOG -> { for (int i = 0; i < n; i++) a[i] = (float) Math.log(a[i]); }
            case SQRT -> { for (int i = 0; i < n; i++) a[i] = (float) Math.sqrt(a[i]); }
            case ABS -> { for (int i = 0; i < n; i++) a[i] = Math.abs(a[i]); }
            case RELU -> { for (int i = 0; i < n; i++) a[i] = Math.max(a[i], 0f); }
            case SIGMOID -> { for (int i = 0; i < n; i++) a[i] = sigmoid(a[i]); }
            case TANH -> { for (int i = 0; i < n; i++) a[i] = (float) Math.tanh(a[i]); }
            case POW -> { for (int i = 0; i < n; i++) a[i] = (float) Math.pow(a[i], p); }
            case LEAKY_RELU -> { for (int i = 0; i < n; i++) a[i] = a[i] > 0 ? a[i] : p * a[i]; }
            case CLAMP -> { for (int i = 0; i < n; i++) a[i] = Math.min(Math.max(a[i], p), q); }
            case AFFINE -> { for (int i = 0; i < n; i++) a[i] = p * a[i] + q; }
        }
    }

    static float sigmoid(float v) {
        return v >= 0 ? (float) (1 / (1 + Math.exp(-v))) : (float) (Math.exp(v) / (1 + Math.exp(v)));
    }

    /** One Adam step of elements [from, to): m and v updated, then p -= alpha · m / (sqrt(v) + epsilon). */
    static void adam(MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v, long from, long to,
                     float alpha, float beta1, float beta2, float epsilon) {
        float[][] s = SCRATCH.get();
        float[] ps = s[0];
        float[] gs = s[1];
        float[] ms = s[2];
        float[] vs = s[3];
        for (long start = from; start < to; start += CHUNK) {
            int n = (int) Math.min(CHUNK, to - start);
            load(p, start, ps, n);
            load(g, start, gs, n);
            load(m, start, ms, n);
            load(v, start, vs, n);
            adam(ps, gs, ms, vs, n, alpha, beta1, beta2, epsilon);
            store(ps, p, start, n);
            store(ms, m, start, n);
            store(vs, v, start, n);
        }
    }

    private static void adam(float[] p, float[] g, float[] m, float[] v, int n, float alpha, float beta1, float beta2,
                             float epsilon) {
        for (int i = 0; i < n; i++) {
            float gi = g[i];
            float mi = beta1 * m[i] + (1 - beta1) * gi;
            float vi = beta2 * v[i] + (1 - beta2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] = p[i] - alpha * mi / ((float) Math.sqrt(vi) + epsilon);
        }
    }

    /** o = g · op'(x), given y = op(x). */
    static void unaryBackward(UnaryOp op, MemorySegment x, MemorySegment y, MemorySegment g, MemorySegment o,
                              long from, long to, float p, float q) {
        float[][] s = SCRATCH.get();
        float[] xs = s[0];
        float[] ys = s[1];
        float[] gs = s[2];
        // each derivative reads x or y, not both: staging only that one saves a quarter of the traffic
        boolean fromY = switch (op) {
            case EXP, SQRT, SIGMOID, TANH -> true;
            default -> false;
        };
        boolean fromX = switch (op) {
            case LOG, ABS, RELU, POW, LEAKY_RELU, CLAMP -> true;
            default -> false;
        };
        for (long start = from; start < to; start += CHUNK) {
            int n = (int) Math.min(CHUNK, to - start);
            if (fromX) {
                load(x, start, xs, n);
            }
            if (fromY) {
                load(y, start, ys, n);
            }
            load(g, start, gs, n);
            unaryBackward(op, xs, ys, gs, n, p, q);
            store(gs, o, start, n);
        }
    }

    /**
     * g[i] *= op'(x[i]) (given y[i] = op(x[i])) for i in [0, n). One small method per op: a single
     * method holding all twelve loops grew past what C2 compiles well and ran 5× slower.
     */
    private static void unaryBackward(UnaryOp op, float[] x, float[] y, float[] g, int n, float p, float q) {
        switch (op) {
            case NEG -> scale(g, n, -1f);
            case EXP -> multiply(g, y, n);
            case LOG -> { for (int i = 0; i < n; i++) g[i] /= x[i]; }
            case SQRT -> { for (int i = 0; i < n; i++) g[i] *= 0.5f / y[i]; }
            case ABS -> { for (int i = 0; i < n; i++) g[i] *= Math.signum(x[i]); }
            case RELU -> reluGrad(x, g, n);
            case SIGMOID -> sigmoidGrad(y, g, n);
            case TANH -> tanhGrad(y, g, n);
            case POW -> { for (int i = 0; i < n; i++) g[i] *= p * (float) Math.pow(x[i], p - 1); }
            case LEAKY_RELU -> { for (int i = 0; i < n; i++) g[i] = x[i] > 0 ? g[i] : p * g[i]; }
            case CLAMP -> { for (int i = 0; i < n; i++) g[i] = x[i] >= p && x[i] <= q ? g[i] : 0f; }
            case AFFINE -> scale(g, n, p);
        }
    }

    private static void scale(float[] g, int n, float s) {
        for (int i = 0; i < n; i++) {
            g[i] *= s;
        }
    }

    private static void multiply(float[] g, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            g[i] *= y[i];
        }
    }

    /** Branch-free (max(0, signum x) is 1 or 0): with half the inputs negative a branch mispredicts half the time. */
    private static void reluGrad(float[] x, float[] g, int n) {
        for (int i = 0; i < n; i++) {
            g[i] *= Math.max(0f, Math.signum(x[i]));
        }
    }

    private static void sigmoidGrad(float[] y, float[] g, int n) {
        for (int i = 0; i < n; i++) {
            g[i] *= y[i] * (1 - y[i]);
        }
    }

    private static void tanhGrad(float[] y, float[] g, int n) {
        for (int i = 0; i < n; i++) {
            g[i] *= 1 - y[i] * y[i];
        }
    }

    /**
     * o[r·inner + j] = a[r·inner + j] op b[j] for rows [from, to): a tensor combined with one that
     * broadcasts over its leading axes (a bias, a per-feature scale). b is staged once.
     */
    static void binaryRows(BinaryOp op, MemorySegment a, MemorySegment b, MemorySegment o, int inner, long from, long to) {
        float[][] s = SCRATCH.get();
        float[] bv = inner <= CHUNK ? s[1] : new float[inner];
        load(b, 0, bv, inner);
        int rowsPerChunk = Math.max(1, CHUNK / inner);
        float[] av = inner <= CHUNK ? s[0] : new float[inner];
        for (long r = from; r < to; r += rowsPerChunk) {
            int rows = (int) Math.min(rowsPerChunk, to - r);
            int n = rows * inner;
            load(a, r * inner, av, n);
            for (int k = 0; k < rows; k++) {
                binaryRow(op, av, k * inner, bv, inner);
            }
            store(av, o, r * inner, n);
        }
    }

    private static void binaryRow(BinaryOp op, float[] a, int at, float[] b, int n) {
        switch (op) {
            case ADD -> { for (int j = 0; j < n; j++) a[at + j] += b[j]; }
            case SUB -> { for (int j = 0; j < n; j++) a[at + j] -= b[j]; }
            case MUL -> { for (int j = 0; j < n; j++) a[at + j] *= b[j]; }
            case DIV -> { for (int j = 0; j < n; j++) a[at + j] /= b[j]; }
            case MAXIMUM -> { for (int j = 0; j < n; j++) a[at + j] = Math.max(a[at + j], b[j]); }
            case MINIMUM -> { for (int j = 0; j < n; j++) a[at + j] = Math.min(a[at + j], b[j]); }
            case EQUAL -> { for (int j = 0; j < n; j++) a[at + j] = a[at + j] == b[j] ? 1f : 0f; }
            case GREATER -> { for (int j = 0; j < n; j++) a[at + j] = a[at + j] > b[j] ? 1f : 0f; }
        }
    }

    /**
     * o[j] = scale · Σ_r x[r·inner + j] for columns [from, to), summed in double over rows in order
     * (the general reduction's order, so the result is the same whoever runs which columns).
     */
    static void columnSums(MemorySegment x, long rows, int inner, int from, int to, double scale, MemorySegment o) {
        int width = to - from;
        double[] acc = new double[width];
        float[] buf = SCRATCH.get()[0];
        if (inner > CHUNK) {
            float[] row = width <= CHUNK ? buf : new float[width];
            for (long r = 0; r < rows; r++) {
                load(x, r * inner + from, row, width);
                addTo(acc, row, 0, width);
            }
        } else {
            // whole rows staged a block at a time: one copy per block, not per row
            int perBlock = CHUNK / inner;
            for (long r = 0; r < rows; r += perBlock) {
                int k = (int) Math.min(perBlock, rows - r);
                load(x, r * inner, buf, k * inner);
                for (int i = 0; i < k; i++) {
                    addTo(acc, buf, i * inner + from, width);
                }
            }
        }
        float[] res = new float[width];
        for (int j = 0; j < width; j++) {
            res[j] = (float) (acc[j] * scale);
        }
        store(res, o, from, width);
    }

    private static void addTo(double[] acc, float[] v, int at, int n) {
        for (int j = 0; j < n; j++) {
            acc[j] += v[at + j];
        }
    }

    /** o[oo + j] = a[ao + j·as] op b[bo + j·bs] for j in [0, n); strides are 0 (broadcast) or 1. */
    static void binary(BinaryOp op, MemorySegment a, long ao, long as, MemorySegment b, long bo, long bs,
                       MemorySegment o, long oo, long n) {
        float[][] s = SCRATCH.get();
        float[] av = s[0];
        float[] bv = s[1];
        for (long done = 0; done < n; done += CHUNK) {
            int m = (int) Math.min(CHUNK, n - done);
            stage(a, ao + done * as, as, av, m);
            stage(b, bo + done * bs, bs, bv, m);
            binary(op, av, bv, m);
            store(av, o, oo + done, m);
        }
    }

    private static void stage(MemorySegment s, long from, long stride, float[] into, int n) {
        if (stride == 0) {
            java.util.Arrays.fill(into, 0, n, s.getAtIndex(JAVA_FLOAT, from));
        } else {
            load(s, from, into, n);
        }
    }

    /** a[i] = a[i] op b[i] for i in [0, n). */
    private static void binary(BinaryOp op, float[] a, float[] b, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) a[i] += b[i]; }
            case SUB -> { for (int i = 0; i < n; i++) a[i] -= b[i]; }
            case MUL -> { for (int i = 0; i < n; i++) a[i] *= b[i]; }
            case DIV -> { for (int i = 0; i < n; i++) a[i] /= b[i]; }
            case MAXIMUM -> { for (int i = 0; i < n; i++) a[i] = Math.max(a[i], b[i]); }
            case MINIMUM -> { for (int i = 0; i < n; i++) a[i] = Math.min(a[i], b[i]); }
            case EQUAL -> { for (int i = 0; i < n; i++) a[i] = a[i] == b[i] ? 1f : 0f; }
            case GREATER -> { for (int i = 0; i < n; i++) a[i] = a[i] > b[i] ? 1f : 0f; }
        }
    }
}
