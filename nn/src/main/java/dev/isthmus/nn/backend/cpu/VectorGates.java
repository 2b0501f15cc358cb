package dev.isthmus.nn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The LSTM gate math of {@link CpuLstm} on the Vector API; loaded only when the module is present.
 * The formulas are the scalar ones in float lanes, the sigmoid and tanh through {@link VectorMath}
 * (float polynomials, as PyTorch's CPU kernels use Sleef's): each gate within a few ulps of the
 * correctly rounded value ({@code VectorGatesTest} measures it), where the double-precision lanes
 * of an earlier version rounded like {@link Math#exp} but cost 2.5 times as much. The JDK's SIMD
 * exp and tanh, used before VectorMath, rounded differently interpreted than compiled, so the same
 * training run gave different weights from one run to the next.
 */
final class VectorGates {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    private VectorGates() {
    }

    /**
     * For j in [0, units): the gates z (pre-activations, [i | f | g | o] of units each) plus bias b
     * activated in place; out = [h | c] of the step from prev = [h | c] of the step before; e is
     * scratch of 4 · units floats. The activations go through {@link VectorMath}'s array passes
     * (all exponentials of the gates in one pass, then those of the cells). Returns how many j
     * were done (a multiple of the lane count); the caller does the rest.
     */
    static int forward(float[] z, float[] b, float[] prev, float[] out, float[] e, int units) {
        int upper = F.loopBound(units);
        for (int at = 0; at < 4 * units; at += units) {
            for (int j = at; j < at + upper; j += L) {
                FloatVector.fromArray(F, z, j).add(FloatVector.fromArray(F, b, j)).intoArray(z, j);
            }
        }
        // the gates' exponentials in one pass: exp(−|x|) for the sigmoids, exp(−2|x|) for tanh
        VectorMath.negAbs(z, 0, 1f, e, 0, 2 * units);
        VectorMath.negAbs(z, 2 * units, 2f, e, 2 * units, units);
        VectorMath.negAbs(z, 3 * units, 1f, e, 3 * units, units);
        VectorMath.exp(e, 0, 0f, e, 0, 4 * units);
        VectorMath.sigmoid(z, 0, e, 0, z, 0, upper);
        VectorMath.sigmoid(z, units, e, units, z, units, upper);
        VectorMath.tanh(z, 2 * units, e, 2 * units, z, 2 * units, upper);
        VectorMath.sigmoid(z, 3 * units, e, 3 * units, z, 3 * units, upper);
        for (int j = 0; j < upper; j += L) {
            FloatVector.fromArray(F, z, units + j).mul(FloatVector.fromArray(F, prev, units + j))
                    .add(FloatVector.fromArray(F, z, j).mul(FloatVector.fromArray(F, z, 2 * units + j)))
                    .intoArray(out, units + j);
        }
        VectorMath.tanh(out, units, e, upper);
        for (int j = 0; j < upper; j += L) {
            FloatVector.fromArray(F, z, 3 * units + j).mul(FloatVector.fromArray(F, e, j)).intoArray(out, j);
        }
        return upper;
    }

    /** tc[j] = tanh(c[at + j]) for j in [0, n) rounded down to lanes; returns how many were done. */
    static int tanh(float[] c, int at, float[] tc, int n) {
        int upper = F.loopBound(n);
        VectorMath.tanh(c, at, tc, upper);
        return upper;
    }

    /**
     * The gate gradients of one real step of {@link CpuLstm}'s backward pass, for j in [0, units)
     * rounded down to lanes, in the scalar loop's float operations and order (so the same bits):
     * from gh = [dL/dh | dL/dc] of the step's output, the carried dh and dc, the activated gates z,
     * the previous cell (prev = [h | c], null at the first step) and tanh of this cell; writes dz,
     * the new dc and zero carries. Returns how many j were done.
     */
    static int backward(float[] gh, float[] dh, float[] dc, float[] z, float[] prev, float[] tcs, boolean last,
                        float[] dz, float[] carried, int units) {
        int j = 0;
        FloatVector zero = FloatVector.zero(F);
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (int upper = F.loopBound(units); j < upper; j += L) {
            FloatVector ghj = FloatVector.fromArray(F, gh, j).add(FloatVector.fromArray(F, dh, j));
            FloatVector gcj = (last ? FloatVector.fromArray(F, gh, units + j) : zero).add(FloatVector.fromArray(F, dc, j));
            FloatVector gi = FloatVector.fromArray(F, z, j);
            FloatVector gf = FloatVector.fromArray(F, z, units + j);
            FloatVector gg = FloatVector.fromArray(F, z, 2 * units + j);
            FloatVector go = FloatVector.fromArray(F, z, 3 * units + j);
            FloatVector cPrev = prev == null ? zero : FloatVector.fromArray(F, prev, units + j);
            FloatVector tc = FloatVector.fromArray(F, tcs, j);
            FloatVector dcTotal = gcj.add(ghj.mul(go).mul(one.sub(tc.mul(tc))));
            dcTotal.mul(gg).mul(gi).mul(one.sub(gi)).intoArray(dz, j);
            dcTotal.mul(cPrev).mul(gf).mul(one.sub(gf)).intoArray(dz, units + j);
            dcTotal.mul(gi).mul(one.sub(gg.mul(gg))).intoArray(dz, 2 * units + j);
            ghj.mul(tc).mul(go).mul(one.sub(go)).intoArray(dz, 3 * units + j);
            dcTotal.mul(gf).intoArray(dc, j);
            zero.intoArray(carried, j);
        }
        return j;
    }
}
