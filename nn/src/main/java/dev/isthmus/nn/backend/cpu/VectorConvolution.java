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
        int step = sw * c;
        int rowStep = wp * c;
        for (int oy = 0; oy < oh; oy++) {
            int ox = 0;
            // Blocks of output pixels share each weight load and keep 8 independent chains in flight
            // (one chain a pixel waits on the fused multiply-add's latency at every tap).
            int f2 = filters / (2 * L) * (2 * L);
            int blocked = filters >= 2 * L ? 4 : 8;
            for (; ox + blocked <= ow; ox += blocked) {
                int at = (oy * ow + ox) * filters;
                int corner = (oy * sh * wp + ox * sw) * c;
                int f0 = 0;
                if (blocked == 4) {
                    for (; f0 < f2; f0 += 2 * L) {
                        four(img, k, filters, corner, step, rowStep, kh, run, f0, res, at);
                    }
                }
                for (; f0 + L <= filters; f0 += L) {
                    eight(img, k, filters, corner, step, rowStep, kh, run, f0, res, at, blocked);
                }
                for (int j = 0; j < blocked && f0 < filters; j++) {
                    pixel(img, k, filters, corner + j * step, rowStep, kh, run, f0, res, at + j * filters);
                }
            }
            for (; ox < ow; ox++) {
                pixel(img, k, filters, (oy * sh * wp + ox * sw) * c, rowStep, kh, run, 0, res,
                        (oy * ow + ox) * filters);
            }
        }
        MemorySegment.copy(res, 0, out, JAVA_FLOAT, (long) b * size * Float.BYTES, size);
    }

    /** Four neighbouring output pixels × filters [f0, f0 + 2L): eight accumulators. */
    private static void four(float[] img, float[] k, int filters, int corner, int step, int rowStep, int kh,
                             int run, int f0, float[] res, int at) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S);
        FloatVector b0 = FloatVector.zero(S);
        FloatVector b1 = FloatVector.zero(S);
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = FloatVector.zero(S);
        FloatVector d0 = FloatVector.zero(S);
        FloatVector d1 = FloatVector.zero(S);
        int p = f0;
        for (int ky = 0; ky < kh; ky++) {
            int row = corner + ky * rowStep;
            for (int q = 0; q < run; q++, p += filters) {
                FloatVector w0 = FloatVector.fromArray(S, k, p);
                FloatVector w1 = FloatVector.fromArray(S, k, p + L);
                int i = row + q;
                FloatVector x = FloatVector.broadcast(S, img[i]);
                a0 = x.fma(w0, a0);
                a1 = x.fma(w1, a1);
                x = FloatVector.broadcast(S, img[i + step]);
                b0 = x.fma(w0, b0);
                b1 = x.fma(w1, b1);
                x = FloatVector.broadcast(S, img[i + 2 * step]);
                c0 = x.fma(w0, c0);
                c1 = x.fma(w1, c1);
                x = FloatVector.broadcast(S, img[i + 3 * step]);
                d0 = x.fma(w0, d0);
                d1 = x.fma(w1, d1);
            }
        }
        a0.intoArray(res, at + f0);
        a1.intoArray(res, at + f0 + L);
        b0.intoArray(res, at + filters + f0);
        b1.intoArray(res, at + filters + f0 + L);
        c0.intoArray(res, at + 2 * filters + f0);
        c1.intoArray(res, at + 2 * filters + f0 + L);
        d0.intoArray(res, at + 3 * filters + f0);
        d1.intoArray(res, at + 3 * filters + f0 + L);
    }

    /** {@code pixels} (4 or 8) neighbouring output pixels × filters [f0, f0 + L). */
    private static void eight(float[] img, float[] k, int filters, int corner, int step, int rowStep, int kh,
                              int run, int f0, float[] res, int at, int pixels) {
        if (pixels == 4) {
            FloatVector a = FloatVector.zero(S);
            FloatVector b = FloatVector.zero(S);
            FloatVector c = FloatVector.zero(S);
            FloatVector d = FloatVector.zero(S);
            int p = f0;
            for (int ky = 0; ky < kh; ky++) {
                int row = corner + ky * rowStep;
                for (int q = 0; q < run; q++, p += filters) {
                    FloatVector w = FloatVector.fromArray(S, k, p);
                    int i = row + q;
                    a = FloatVector.broadcast(S, img[i]).fma(w, a);
                    b = FloatVector.broadcast(S, img[i + step]).fma(w, b);
                    c = FloatVector.broadcast(S, img[i + 2 * step]).fma(w, c);
                    d = FloatVector.broadcast(S, img[i + 3 * step]).fma(w, d);
                }
            }
            a.intoArray(res, at + f0);
            b.intoArray(res, at + filters + f0);
            c.intoArray(res, at + 2 * filters + f0);
            d.intoArray(res, at + 3 * filters + f0);
            return;
        }
        FloatVector a = FloatVector.zero(S);
        FloatVector b = FloatVector.zero(S);
        FloatVector c = FloatVector.zero(S);
        FloatVector d = FloatVector.zero(S);
        FloatVector e = FloatVector.zero(S);
        FloatVector f = FloatVector.zero(S);
        FloatVector g = FloatVector.zero(S);
        FloatVector h = FloatVector.zero(S);
        int p = f0;
        for (int ky = 0; ky < kh; ky++) {
            int row = corner + ky * rowStep;
            for (int q = 0; q < run; q++, p += filters) {
                FloatVector w = FloatVector.fromArray(S, k, p);
                int i = row + q;
                a = FloatVector.broadcast(S, img[i]).fma(w, a);
                b = FloatVector.broadcast(S, img[i + step]).fma(w, b);
                c = FloatVector.broadcast(S, img[i + 2 * step]).fma(w, c);
                d = FloatVector.broadcast(S, img[i + 3 * step]).fma(w, d);
                e = FloatVector.broadcast(S, img[i + 4 * step]).fma(w, e);
                f = FloatVector.broadcast(S, img[i + 5 * step]).fma(w, f);
                g = FloatVector.broadcast(S, img[i + 6 * step]).fma(w, g);
                h = FloatVector.broadcast(S, img[i + 7 * step]).fma(w, h);
            }
        }
        a.intoArray(res, at + f0);
        b.intoArray(res, at + filters + f0);
        c.intoArray(res, at + 2 * filters + f0);
        d.intoArray(res, at + 3 * filters + f0);
        e.intoArray(res, at + 4 * filters + f0);
        f.intoArray(res, at + 5 * filters + f0);
        g.intoArray(res, at + 6 * filters + f0);
        h.intoArray(res, at + 7 * filters + f0);
    }

    /** One output pixel × filters [f0, filters), the last vector masked. */
    private static void pixel(float[] img, float[] k, int filters, int corner, int rowStep, int kh, int run,
                              int from, float[] res, int at) {
        int f0 = from;
        for (; f0 + L <= filters; f0 += L) {
            FloatVector acc = FloatVector.zero(S);
            int p = f0;
            for (int ky = 0; ky < kh; ky++) {
                int row = corner + ky * rowStep;
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
                int row = corner + ky * rowStep;
                for (int q = 0; q < run; q++, p += filters) {
                    acc = FloatVector.broadcast(S, img[row + q]).fma(FloatVector.fromArray(S, k, p, m), acc);
                }
            }
            acc.intoArray(res, at + f0, m);
        }
    }
}
