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
 * above -0), and the first position holding the largest wins. Everything is integer lanes on the
 * floats' bits (mask casts between float and int species, and masked loads, were not compiled to
 * vector code and allocated per call); channels past the last full vector go one by one.
 */
final class VectorPooling {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final int CANONICAL_NAN = Float.floatToIntBits(Float.NaN);

    private VectorPooling() {
    }

    /** out (one image's output, HWC) = the winner of each window and channel of {@code in}. */
    static void forward(float[] in, Window2d g, float[] out) {
        int c = g.channels();
        int full = c / L * L;
        for (int oy = 0, o = 0; oy < g.outHeight(); oy++) {
            for (int ox = 0; ox < g.outWidth(); ox++, o += c) {
                for (int c0 = 0; c0 < full; c0 += L) {
                    IntVector best = IntVector.zero(I);
                    IntVector bestRank = IntVector.broadcast(I, Integer.MIN_VALUE);
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
                            IntVector bits = FloatVector.fromArray(F, in, (iy * g.width() + ix) * c + c0)
                                    .reinterpretAsInts();
                            IntVector rank = rank(bits);
                            best = best.blend(bits, rank.compare(VectorOperators.GT, bestRank));
                            bestRank = bestRank.max(rank);
                        }
                    }
                    best.reinterpretAsFloats().intoArray(out, o + c0);
                }
                for (int ch = full; ch < c; ch++) {
                    out[o + ch] = in[winner(in, g, oy, ox, ch)];
                }
            }
        }
    }

    /** gx (one image, zero on entry) += each output gradient at its window's winner, in output order. */
    static void backward(float[] in, float[] gy, Window2d g, float[] gx) {
        int c = g.channels();
        int full = c / L * L;
        IntVector lanes = IntVector.zero(I).addIndex(1);
        int[] where = new int[L];
        for (int oy = 0, o = 0; oy < g.outHeight(); oy++) {
            for (int ox = 0; ox < g.outWidth(); ox++, o += c) {
                for (int c0 = 0; c0 < full; c0 += L) {
                    IntVector bestIndex = IntVector.zero(I);
                    IntVector bestRank = IntVector.broadcast(I, Integer.MIN_VALUE);
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
                            IntVector rank = rank(FloatVector.fromArray(F, in, base).reinterpretAsInts());
                            IntVector index = lanes.add(base);
                            bestIndex = bestIndex.blend(index, rank.compare(VectorOperators.GT, bestRank));
                            bestRank = bestRank.max(rank);
                        }
                    }
                    bestIndex.intoArray(where, 0);
                    for (int l = 0; l < L; l++) {
                        gx[where[l]] += gy[o + c0 + l];
                    }
                }
                for (int ch = full; ch < c; ch++) {
                    gx[winner(in, g, oy, ox, ch)] += gy[o + ch];
                }
            }
        }
    }

    /** A float's place in {@link Math#max}'s order, from its bits (any NaN made the canonical one). */
    private static IntVector rank(IntVector bits) {
        // bits ^ ((bits >> 31) & 0x7fffffff) without a shift by a scalar, which was not intrinsified
        IntVector magnitude = IntVector.broadcast(I, 0x7fffffff);
        VectorMask<Integer> nan = bits.and(magnitude).compare(VectorOperators.GT, IntVector.broadcast(I, 0x7f800000));
        IntVector b = bits.blend(IntVector.broadcast(I, CANONICAL_NAN), nan);
        return b.blend(b.lanewise(VectorOperators.XOR, magnitude), b.compare(VectorOperators.LT, IntVector.zero(I)));
    }

    /** The index in {@code in} of channel ch's winner in the window of (oy, ox), one channel alone. */
    private static int winner(float[] in, Window2d g, int oy, int ox, int ch) {
        int c = g.channels();
        int where = -1;
        int best = 0;
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
                int at = (iy * g.width() + ix) * c + ch;
                int bits = Float.floatToIntBits(in[at]);
                int rank = bits ^ ((bits >> 31) & 0x7fffffff);
                if (where < 0 || rank > best) {
                    where = at;
                    best = rank;
                }
            }
        }
        return where;
    }
}
