package dev.isthmus.nn.backend.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.isthmus.nn.backend.BinaryOp;
import dev.isthmus.nn.backend.UnaryOp;
import java.lang.foreign.MemorySegment;

/** Scalar elementwise loops over index ranges; the op is chosen once per range, not per element. */
final class Elementwise {
    private Elementwise() {
    }

    static void unary(UnaryOp op, MemorySegment x, MemorySegment o, long from, long to, float p, float q) {
        switch (op) {
            case NEG -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, -x.getAtIndex(JAVA_FLOAT, i)); }
            case EXP -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, (float) Math.exp(x.getAtIndex(JAVA_FLOAT, i))); }
            case LOG -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, (float) Math.log(x.getAtIndex(JAVA_FLOAT, i))); }
            case SQRT -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, (float) Math.sqrt(x.getAtIndex(JAVA_FLOAT, i))); }
            case ABS -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, Math.abs(x.getAtIndex(JAVA_FLOAT, i))); }
            case RELU -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, Math.max(x.getAtIndex(JAVA_FLOAT, i), 0f)); }
            case SIGMOID -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, sigmoid(x.getAtIndex(JAVA_FLOAT, i))); }
            case TANH -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, (float) Math.tanh(x.getAtIndex(JAVA_FLOAT, i))); }
            case POW -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, (float) Math.pow(x.getAtIndex(JAVA_FLOAT, i), p)); }
            case LEAKY_RELU -> {
                for (long i = from; i < to; i++) {
                    float v = x.getAtIndex(JAVA_FLOAT, i);
                    o.setAtIndex(JAVA_FLOAT, i, v > 0 ? v : p * v);
                }
            }
            case CLAMP -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, Math.min(Math.max(x.getAtIndex(JAVA_FLOAT, i), p), q)); }
            case AFFINE -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, p * x.getAtIndex(JAVA_FLOAT, i) + q); }
        }
    }

    static float sigmoid(float v) {
        return v >= 0 ? (float) (1 / (1 + Math.exp(-v))) : (float) (Math.exp(v) / (1 + Math.exp(v)));
    }

    /**
     * o = g · op'(x), given y = op(x). One small loop per op: a switch inside the loop makes the
     * method too large for the JIT to inline the segment accessors, which costs over ten times.
     */
    static void unaryBackward(UnaryOp op, MemorySegment x, MemorySegment y, MemorySegment g, MemorySegment o,
                              long from, long to, float p, float q) {
        switch (op) {
            case NEG -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, -g.getAtIndex(JAVA_FLOAT, i)); }
            case EXP -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, g.getAtIndex(JAVA_FLOAT, i) * y.getAtIndex(JAVA_FLOAT, i)); }
            case LOG -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, g.getAtIndex(JAVA_FLOAT, i) / x.getAtIndex(JAVA_FLOAT, i)); }
            case SQRT -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, g.getAtIndex(JAVA_FLOAT, i) * 0.5f / y.getAtIndex(JAVA_FLOAT, i)); }
            case ABS -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, g.getAtIndex(JAVA_FLOAT, i) * Math.signum(x.getAtIndex(JAVA_FLOAT, i))); }
            case RELU -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, x.getAtIndex(JAVA_FLOAT, i) > 0 ? g.getAtIndex(JAVA_FLOAT, i) : 0f); }
            case SIGMOID -> {
                for (long i = from; i < to; i++) {
                    float yv = y.getAtIndex(JAVA_FLOAT, i);
                    o.setAtIndex(JAVA_FLOAT, i, g.getAtIndex(JAVA_FLOAT, i) * yv * (1 - yv));
                }
            }
            case TANH -> {
                for (long i = from; i < to; i++) {
                    float yv = y.getAtIndex(JAVA_FLOAT, i);
                    o.setAtIndex(JAVA_FLOAT, i, g.getAtIndex(JAVA_FLOAT, i) * (1 - yv * yv));
                }
            }
            case POW -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, g.getAtIndex(JAVA_FLOAT, i) * p * (float) Math.pow(x.getAtIndex(JAVA_FLOAT, i), p - 1)); }
            case LEAKY_RELU -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, x.getAtIndex(JAVA_FLOAT, i) > 0 ? g.getAtIndex(JAVA_FLOAT, i) : p * g.getAtIndex(JAVA_FLOAT, i)); }
            case CLAMP -> {
                for (long i = from; i < to; i++) {
                    float xv = x.getAtIndex(JAVA_FLOAT, i);
                    o.setAtIndex(JAVA_FLOAT, i, xv >= p && xv <= q ? g.getAtIndex(JAVA_FLOAT, i) : 0f);
                }
            }
            case AFFINE -> { for (long i = from; i < to; i++) o.setAtIndex(JAVA_FLOAT, i, g.getAtIndex(JAVA_FLOAT, i) * p); }
        }
    }

    /** o[oo + j] = a[ao + j·as] op b[bo + j·bs] for j in [0, n). */
    static void binary(BinaryOp op, MemorySegment a, long ao, long as, MemorySegment b, long bo, long bs,
                       MemorySegment o, long oo, long n) {
        switch (op) {
            case ADD -> { for (long j = 0; j < n; j++) o.setAtIndex(JAVA_FLOAT, oo + j, a.getAtIndex(JAVA_FLOAT, ao + j * as) + b.getAtIndex(JAVA_FLOAT, bo + j * bs)); }
            case SUB -> { for (long j = 0; j < n; j++) o.setAtIndex(JAVA_FLOAT, oo + j, a.getAtIndex(JAVA_FLOAT, ao + j * as) - b.getAtIndex(JAVA_FLOAT, bo + j * bs)); }
            case MUL -> { for (long j = 0; j < n; j++) o.setAtIndex(JAVA_FLOAT, oo + j, a.getAtIndex(JAVA_FLOAT, ao + j * as) * b.getAtIndex(JAVA_FLOAT, bo + j * bs)); }
            case DIV -> { for (long j = 0; j < n; j++) o.setAtIndex(JAVA_FLOAT, oo + j, a.getAtIndex(JAVA_FLOAT, ao + j * as) / b.getAtIndex(JAVA_FLOAT, bo + j * bs)); }
            case MAXIMUM -> { for (long j = 0; j < n; j++) o.setAtIndex(JAVA_FLOAT, oo + j, Math.max(a.getAtIndex(JAVA_FLOAT, ao + j * as), b.getAtIndex(JAVA_FLOAT, bo + j * bs))); }
            case MINIMUM -> { for (long j = 0; j < n; j++) o.setAtIndex(JAVA_FLOAT, oo + j, Math.min(a.getAtIndex(JAVA_FLOAT, ao + j * as), b.getAtIndex(JAVA_FLOAT, bo + j * bs))); }
            case EQUAL -> { for (long j = 0; j < n; j++) o.setAtIndex(JAVA_FLOAT, oo + j, a.getAtIndex(JAVA_FLOAT, ao + j * as) == b.getAtIndex(JAVA_FLOAT, bo + j * bs) ? 1f : 0f); }
            case GREATER -> { for (long j = 0; j < n; j++) o.setAtIndex(JAVA_FLOAT, oo + j, a.getAtIndex(JAVA_FLOAT, ao + j * as) > b.getAtIndex(JAVA_FLOAT, bo + j * bs) ? 1f : 0f); }
        }
    }
}
