package dev.isthmus.nn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vector API row kernels for {@link RowSoftmax}; loaded only when the module is present. */
final class VectorRowMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorRowMath() {
    }

    static float max(float[] a, int n) {
        int i = 0;
        FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            m = m.max(FloatVector.fromArray(S, a, i));
        }
        float r = m.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            r = Math.max(r, a[i]);
        }
        return r;
    }

    /** out[i] = exp(a[i] - shift); returns the sum (lanes in float, lanes added in double). */
    static double expShifted(float[] a, float shift, float[] out, int n) {
        int i = 0;
        FloatVector sum = FloatVector.zero(S);
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector e = FloatVector.fromArray(S, a, i).sub(shift).lanewise(VectorOperators.EXP);
            e.intoArray(out, i);
            sum = sum.add(e);
        }
        double total = 0;
        for (int l = 0; l < S.length(); l++) {
            total += sum.lane(l);
        }
        for (; i < n; i++) {
            float e = (float) Math.exp(a[i] - shift);
            out[i] = e;
            total += e;
        }
        return total;
    }
}
