package dev.isthmus.nn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The LSTM gate math of {@link CpuLstm} on the Vector API; loaded only when the module is present.
 * The formulas are the scalar ones in float lanes, the sigmoid and tanh through the JDK's SIMD
 * float exp and tanh (as PyTorch's CPU kernels, through Sleef): each gate within a few ulps of the
 * correctly rounded value ({@code VectorGatesTest} measures it), where the double-precision lanes
 * this replaced rounded like {@link Math#exp} but cost 2.5 times as much (the gates were a third of
 * the text model's step at batch 256).
 */
final class VectorGates {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    private VectorGates() {
    }

    /**
     * For j in [0, units): the gates z (pre-activations, [i | f | g | o] of units each) plus bias b
     * activated in place; out = [h | c] of the step from prev = [h | c] of the step before.
     * Returns how many j were done (a multiple of the lane count); the caller does the rest.
     */
    static int forward(float[] z, float[] b, float[] prev, float[] out, int units) {
        int j = 0;
        for (int upper = F.loopBound(units); j < upper; j += L) {
            FloatVector gi = sigmoid(FloatVector.fromArray(F, z, j).add(FloatVector.fromArray(F, b, j)));
            FloatVector gf = sigmoid(FloatVector.fromArray(F, z, units + j)
                    .add(FloatVector.fromArray(F, b, units + j)));
            FloatVector gg = tanh(FloatVector.fromArray(F, z, 2 * units + j)
                    .add(FloatVector.fromArray(F, b, 2 * units + j)));
            FloatVector go = sigmoid(FloatVector.fromArray(F, z, 3 * units + j)
                    .add(FloatVector.fromArray(F, b, 3 * units + j)));
            FloatVector c = gf.mul(FloatVector.fromArray(F, prev, units + j)).add(gi.mul(gg));
            gi.intoArray(z, j);
            gf.intoArray(z, units + j);
            gg.intoArray(z, 2 * units + j);
            go.intoArray(z, 3 * units + j);
            go.mul(tanh(c)).intoArray(out, j);
            c.intoArray(out, units + j);
        }
        return j;
    }

    /** tc[j] = tanh(c[at + j]) for j in [0, n) rounded down to lanes; returns how many were done. */
    static int tanh(float[] c, int at, float[] tc, int n) {
        int j = 0;
        for (int upper = F.loopBound(n); j < upper; j += L) {
            tanh(FloatVector.fromArray(F, c, at + j)).intoArray(tc, j);
        }
        return j;
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

    /** tanh per lane, in float. */
    private static FloatVector tanh(FloatVector v) {
        return v.lanewise(VectorOperators.TANH);
    }

    /**
     * The sigmoid per lane in float, as {@link Elementwise#sigmoid} arranges it: with e = exp(-|v|),
     * 1 / (1 + e) for v >= 0 and e / (1 + e) below, so that neither side overflows.
     */
    private static FloatVector sigmoid(FloatVector v) {
        FloatVector e = v.abs().neg().lanewise(VectorOperators.EXP);
        FloatVector onePlus = e.add(1f);
        return e.div(onePlus).blend(FloatVector.broadcast(F, 1f).div(onePlus), v.compare(VectorOperators.GE, 0f));
    }
}
