package dev.isthmus.nn.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vector API row kernels for {@link RowSoftmax} (and short row copies); loaded only when the module is present. */
final class VectorRowMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorRowMath() {
    }

    static float max(float[] a, int n) {
        int i = 0;
        int l = S.length();
        // four independent chains (one max's latency each), merged at the end: the maximum does
        // not depend on the order
        FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        FloatVector m1 = m;
        FloatVector m2 = m;
        FloatVector m3 = m;
        for (int upper = n - 4 * l; i <= upper; i += 4 * l) {
            m = m.max(FloatVector.fromArray(S, a, i));
            m1 = m1.max(FloatVector.fromArray(S, a, i + l));
            m2 = m2.max(FloatVector.fromArray(S, a, i + 2 * l));
            m3 = m3.max(FloatVector.fromArray(S, a, i + 3 * l));
        }
        for (int upper = S.loopBound(n); i < upper; i += l) {
            m = m.max(FloatVector.fromArray(S, a, i));
        }
        m = m.max(m1).max(m2.max(m3));
        float r = m.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            r = Math.max(r, a[i]);
        }
        return r;
    }

    /**
     * out[i] = exp(a[i] - shift), through {@link VectorMath#exp} and its scalar twin (the same bits
     * at any position and in any JIT state); returns the sum (lanes in float, lanes added in double).
     */
    static double expShifted(float[] a, float shift, float[] out, int n) {
        VectorMath.exp(a, 0, shift, out, 0, n);
        int l = S.length();
        FloatVector sum = FloatVector.zero(S);
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += l) {
            sum = sum.add(FloatVector.fromArray(S, out, i));
        }
        double total = 0;
        for (int lane = 0; lane < l; lane++) {
            total += sum.lane(lane);
        }
        for (; i < n; i++) {
            total += out[i];
        }
        return total;
    }

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats of one pass: as many as two double vectors hold, converted half by half. */
    private static final VectorSpecies<Float> F2 = VectorSpecies.of(float.class,
            jdk.incubator.vector.VectorShape.forBitSize(D.vectorBitSize()));

    /**
     * Σ a[i] in double, in lanes (each lane's floats widened and added in order, the lanes then
     * added in order): the same value for a row whoever computes it, within a double's rounding of
     * the sequential sum.
     */
    static double sum(float[] a, int n) {
        return dot(a, null, n);
    }

    /** Σ a[i]·b[i] (Σ a[i] when b is null), each product in float, summed in double as {@link #sum}. */
    static double dot(float[] a, float[] b, int n) {
        int half = D.length();
        DoubleVector lo = DoubleVector.zero(D);
        DoubleVector hi = DoubleVector.zero(D);
        int i = 0;
        for (int upper = F2.loopBound(n); i < upper; i += F2.length()) {
            FloatVector v = FloatVector.fromArray(F2, a, i);
            if (b != null) {
                v = v.mul(FloatVector.fromArray(F2, b, i));
            }
            lo = lo.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0));
            hi = hi.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1));
        }
        double total = 0;
        for (int l = 0; l < half; l++) {
            total += lo.lane(l);
        }
        for (int l = 0; l < half; l++) {
            total += hi.lane(l);
        }
        for (; i < n; i++) {
            total += b == null ? a[i] : a[i] * b[i];
        }
        return total;
    }

    /** Floats of half a double vector's width: what one double vector narrows to. */
    private static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class,
            jdk.incubator.vector.VectorShape.forBitSize(D.vectorBitSize() / 2));

    /**
     * out[i] = (float) (((double) a[i] - shift) - logSum) for i in [0, n) rounded down to a double
     * vector: the log-softmax's arithmetic, lane by lane. Returns how many were done.
     */
    static int logShifted(float[] a, float shift, double logSum, float[] out, int n) {
        int i = 0;
        for (int upper = HALF.loopBound(n); i < upper; i += HALF.length()) {
            DoubleVector d = (DoubleVector) FloatVector.fromArray(HALF, a, i).convertShape(VectorOperators.F2D, D, 0);
            ((FloatVector) d.sub(shift).sub(logSum).convertShape(VectorOperators.D2F, HALF, 0)).intoArray(out, i);
        }
        return i;
    }

    /**
     * Copies n floats from byte offset {@code from} of {@code x} to byte offset {@code to} of
     * {@code out} by whole vectors and a scalar tail: for the short rows of a permute (an attention
     * head's 16 floats), where {@link MemorySegment#copy}'s per-call checks cost more than the copy.
     */
    static void copyShort(java.lang.foreign.MemorySegment x, long from, java.lang.foreign.MemorySegment out, long to,
                          int n) {
        int j = 0;
        int l = S.length();
        for (int upper = S.loopBound(n); j < upper; j += l) {
            long o = (long) j * Float.BYTES;
            FloatVector.fromMemorySegment(S, x, from + o, java.nio.ByteOrder.nativeOrder())
                    .intoMemorySegment(out, to + o, java.nio.ByteOrder.nativeOrder());
        }
        for (; j < n; j++) {
            long o = (long) j * Float.BYTES;
            out.set(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, to + o,
                    x.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, from + o));
        }
    }
}
