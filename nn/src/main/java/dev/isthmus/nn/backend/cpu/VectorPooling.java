package dev.isthmus.nn.backend.cpu;

import dev.isthmus.nn.backend.Window2d;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max pooling of one image (HWC, staged in float[]) on the Vector API, channels in lanes; loaded
 * only when the module is present. It decides exactly as the scalar window search of
 * {@link CpuConvolution}: the same order of values (a NaN, canonicalised, above everything, +0
 * above -0), and the first position holding the largest wins.
 */
final class VectorPooling {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final int L = F.length();
    private static final int CANONICAL_NAN = Float.floatToIntBits(Float.NaN);

    private VectorPooling() {
    }

    /** out (one image's output, HWC) = the winner of each window and channel of {@code in}. */
    static void forward(float[] in, Window2d g, float[] out) {
        int c = g.channels();
        for (int oy = 0, o = 0; oy < g.outHeight(); oy++) {
            for (int ox = 0; ox < g.outWidth(); ox++, o += c) {
                for (int c0 = 0; c0 < c; c0 += L) {
                    VectorMask<Float> m = F.indexInRange(c0, c);
                    FloatVector best = null;
                    IntVector bestRank = null;
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
                            FloatVector v = FloatVector.fromArray(F, in, (iy * g.width() + ix) * c + c0, m);
                            IntVector rank = rank(v);
                            if (best == null) {
                                best = v;
                                bestRank = rank;
                            } else {
                                VectorMask<Integer> larger = rank.compare(VectorOperators.GT, bestRank);
                                best = best.blend(v, larger.cast(F));
                                bestRank = bestRank.max(rank);
                            }
                        }
                    }
                    best.intoArray(out, o + c0, m);
                }
            }
        }
    }

    /** gx (one image, zero on entry) += each output gradient at its window's winner, in output order. */
    static void backward(float[] in, float[] gy, Window2d g, float[] gx) {
        int c = g.channels();
        IntVector lanes = IntVector.zero(I).addIndex(1);
        int[] where = new int[L];
        for (int oy = 0, o = 0; oy < g.outHeight(); oy++) {
            for (int ox = 0; ox < g.outWidth(); ox++, o += c) {
                for (int c0 = 0; c0 < c; c0 += L) {
                    VectorMask<Float> m = F.indexInRange(c0, c);
                    IntVector bestIndex = null;
                    IntVector bestRank = null;
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
                            IntVector rank = rank(FloatVector.fromArray(F, in, base, m));
                            IntVector index = lanes.add(base);
                            if (bestIndex == null) {
                                bestIndex = index;
                                bestRank = rank;
                            } else {
                                bestIndex = bestIndex.blend(index, rank.compare(VectorOperators.GT, bestRank));
                                bestRank = bestRank.max(rank);
                            }
                        }
                    }
                    bestIndex.intoArray(where, 0);
                    for (int l = 0, n = Math.min(L, c - c0); l < n; l++) {
                        gx[where[l]] += gy[o + c0 + l];
                    }
                }
            }
        }
    }

    /** A float's place in {@link Math#max}'s order as an int (NaNs canonicalised first). */
    private static IntVector rank(FloatVector v) {
        IntVector bits = v.reinterpretAsInts().blend(CANONICAL_NAN, v.test(VectorOperators.IS_NAN).cast(I));
        return bits.lanewise(VectorOperators.XOR, bits.lanewise(VectorOperators.ASHR, 31).and(0x7fffffff));
    }
}
