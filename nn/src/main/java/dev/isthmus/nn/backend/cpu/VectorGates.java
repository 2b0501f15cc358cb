package dev.isthmus.nn.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The LSTM gate math of {@link CpuLstm} on the Vector API; loaded only when the module is present.
 * The formulas are the scalar ones, float arithmetic in float and the sigmoid and tanh in double
 * (the JDK's SIMD exp and tanh, within an ulp of a double like {@link Math#exp}), so the results
 * round to the same floats but for the rare value within a double's ulp of a float rounding
 * boundary. The exponentials were most of an LSTM step.
 */
final class VectorGates {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final int L = D.length();

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

    /** (float) Math.tanh(v) per lane, as {@code (float) Math.tanh(v)}. */
    private static FloatVector tanh(FloatVector v) {
        DoubleVector d = (DoubleVector) v.convertShape(VectorOperators.F2D, D, 0);
        return (FloatVector) d.lanewise(VectorOperators.TANH).convertShape(VectorOperators.D2F, F, 0);
    }

    /** {@link Elementwise#sigmoid} per lane: 1 / (1 + e^-v) for v >= 0, else e^v / (1 + e^v), in double. */
    private static FloatVector sigmoid(FloatVector v) {
        DoubleVector d = (DoubleVector) v.convertShape(VectorOperators.F2D, D, 0);
        DoubleVector e = d.abs().neg().lanewise(VectorOperators.EXP);
        DoubleVector onePlus = e.add(1.0);
        DoubleVector s = e.div(onePlus).blend(DoubleVector.broadcast(D, 1.0).div(onePlus),
                d.compare(VectorOperators.GE, 0.0));
        return (FloatVector) s.convertShape(VectorOperators.D2F, F, 0);
    }
}
