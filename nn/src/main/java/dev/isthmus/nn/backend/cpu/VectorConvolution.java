package dev.isthmus.nn.backend.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.isthmus.nn.backend.Window2d;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct channels-last convolution on the Vector API for shallow windows (kh·kw·c up to the
 * SGEMM's depth block), loaded only when the module is present. Each output pixel's filters are
 * one fused multiply-add chain from zero over the window in the kernel's [kh, kw, c] order, the
 * very arithmetic of the im2col + {@link VectorSgemmKernel} path, so the results are identical to
 * it; but no column matrix is written and read back, which for one or a few input channels cost
 * more than the products.
 */
final class VectorConvolution {
    private static final VectorSpecies<Float> S = VectorSgemmKernel.S;
    private static final int L = S.length();

    private VectorConvolution() {
    }

    /** Output images [b0, b0 + count) of x * kernel into out, images split over the threads. */
    static void forward(MemorySegment x, MemorySegment kernel, int filters, Window2d g, int b0, int count,
                        MemorySegment out, CpuThreads threads) {
        int taps = g.windowHeight() * g.windowWidth() * g.channels();
        float[] k = new float[taps * filters];
        MemorySegment.copy(kernel, JAVA_FLOAT, 0, k, 0, k.length);
        threads.parallelFor(count, i -> image(x, k, filters, g, b0 + i, out));
    }

    private static void image(MemorySegment x, float[] k, int filters, Window2d g, int b, MemorySegment out) {
        int c = g.channels();
        int sh = g.strideHeight();
        int sw = g.strideWidth();
        int kh = g.windowHeight();
        int kw = g.windowWidth();
        int oh = g.outHeight();
        int ow = g.outWidth();
        int wp = CpuConvolution.paddedWidth(g);
        float[] img = CpuConvolution.paddedImage(x, g, b);
        int size = oh * ow * filters;
        float[] res = Scratch.floats(Scratch.CONV_OUT, size);
        int run = kw * c;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int at = (oy * ow + ox) * filters;
                int corner = (oy * sh * wp + ox * sw) * c;
                int f0 = 0;
                for (; f0 + L <= filters; f0 += L) {
                    FloatVector acc = FloatVector.zero(S);
                    int p = f0;
                    for (int ky = 0; ky < kh; ky++) {
                        int row = corner + ky * wp * c;
                        for (int q = 0; q < run; q++, p += filters) {
                            acc = FloatVector.broadcast(S, img[row + q]).fma(FloatVector.fromArray(S, k, p), acc);
                        }
                    }
                    acc.intoArray(res, at + f0);
                }
                if (f0 < filters) {
                    VectorMask<Float> m = S.indexInRange(f0, filters);
                    FloatVector acc = FloatVector.zero(S);
                    int p = f0;
                    for (int ky = 0; ky < kh; ky++) {
                        int row = corner + ky * wp * c;
                        for (int q = 0; q < run; q++, p += filters) {
                            acc = FloatVector.broadcast(S, img[row + q]).fma(FloatVector.fromArray(S, k, p, m), acc);
                        }
                    }
                    acc.intoArray(res, at + f0, m);
                }
            }
        }
        MemorySegment.copy(res, 0, out, JAVA_FLOAT, (long) b * size * Float.BYTES, size);
    }
}
