package dev.isthmus.nn.backend.cpu;

import dev.isthmus.nn.backend.Window2d;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The max-pooling window search of {@link CpuConvolution} on the Vector API, channels in lanes;
 * loaded only when the module is present. It decides exactly as the scalar search: the same
 * order of values (a NaN, canonicalised, above everything, +0 above -0) and the first position
 * holding the largest wins.
 */
final class VectorPooling {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final int L = F.length();
    private static final int CANONICAL_NAN = Float.floatToIntBits(Float.NaN);

    private VectorPooling() {
    }

    /** For each channel, the index in {@code in} (one image, HWC) of the winner of output pixel (oy, ox). */
    static void winners(float[] in, Window2d g, int oy, int ox, int[] where) {
        int c = g.channels();
        IntVector lanes = IntVector.zero(I).addIndex(1);
        for (int c0 = 0; c0 < c; c0 += L) {
            VectorMask<Float> fm = F.indexInRange(c0, c);
            IntVector bestRank = null;
            IntVector bestIndex = null;
            for (int ky = 0; ky < g.windowHeight(); ky++) {
                int iy = oy * g.strideHeight() - g.padTop() + ky;
                if (iy < 0 || iy >= g.height()) {
                    continue;
                }
                for (int kx = 0; kx < g.windowWidth(); kx++) {
                    int ix = ox * g.strideWidth() - g.padLeft() + kx;
                    if (ix < 0 || ix >= g.width()) {
                        continue;
                    }
                    int base = (iy * g.width() + ix) * c + c0;
                    FloatVector v = FloatVector.fromArray(F, in, base, fm);
                    IntVector bits = v.reinterpretAsInts()
                            .blend(CANONICAL_NAN, v.test(VectorOperators.IS_NAN).cast(I));
                    IntVector rank = bits.lanewise(VectorOperators.XOR,
                            bits.lanewise(VectorOperators.ASHR, 31).and(0x7fffffff));
                    IntVector index = lanes.add(base);
                    if (bestRank == null) {
                        bestRank = rank;
                        bestIndex = index;
                    } else {
                        bestIndex = bestIndex.blend(index, rank.compare(VectorOperators.GT, bestRank));
                        bestRank = bestRank.max(rank);
                    }
                }
            }
            bestIndex.intoArray(where, c0, fm.cast(I));
        }
    }
}
