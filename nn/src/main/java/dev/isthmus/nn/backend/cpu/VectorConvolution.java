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
        forward(x, kernel, null, false, filters, g, b0, count, out, threads);
    }

    /**
     * {@link #forward} followed, in the same pass over each image's output, by the bias (when not
     * null) and a ReLU (when {@code relu}): the arithmetic of the separate operations, bit for bit.
     */
    static void forward(MemorySegment x, MemorySegment kernel, float[] bias, boolean relu, int filters, Window2d g,
                        int b0, int count, MemorySegment out, CpuThreads threads) {
        int taps = g.windowHeight() * g.windowWidth() * g.channels();
        float[] k = new float[taps * filters];
        MemorySegment.copy(kernel, JAVA_FLOAT, 0, k, 0, k.length);
        forward(x, k, bias, relu, filters, g, b0, count, out, threads);
    }

    /** {@link #forward} with the kernel [kh, kw, c, filters] already in an array. */
    static void forward(MemorySegment x, float[] k, float[] bias, boolean relu, int filters, Window2d g, int b0,
                        int count, MemorySegment out, CpuThreads threads) {
        threads.parallelFor(count, i -> image(x, k, bias, relu, filters, g, b0 + i, out));
    }

    /**
     * The input gradient of a stride-1 convolution as the direct convolution of the output
     * gradient, padded by the window less the forward padding, with the kernel turned half a turn
     * and its channels and filters swapped: gx[y, x, c] = Σ gy[y + pt - ky, x + pl - kx, f] ·
     * k[ky, kx, c, f]. No column matrix is written and added back.
     */
    static void backwardData(MemorySegment gy, MemorySegment kernel, int filters, Window2d g, MemorySegment gx,
                             CpuThreads threads) {
        int kh = g.windowHeight();
        int kw = g.windowWidth();
        int c = g.channels();
        float[] k = new float[kh * kw * c * filters];
        MemorySegment.copy(kernel, JAVA_FLOAT, 0, k, 0, k.length);
        float[] turned = new float[k.length];
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int f = 0; f < filters; f++) {
                        turned[(((kh - 1 - ky) * kw + (kw - 1 - kx)) * filters + f) * c + ch] =
                                k[((ky * kw + kx) * c + ch) * filters + f];
                    }
                }
            }
        }
        Window2d back = CpuConvolution.transposed(g, filters);
        forward(gy, turned, null, false, c, back, 0, g.batch(), gx, threads);
    }

    /**
     * {@link CpuConvolution#epilogue} on vectors (lanewise ADD and MAX are float addition and
     * {@link Math#max}), for filter counts that are whole vectors; returns the pixels done (all, or
     * none for the scalar loop to do).
     */
    static int epilogue(float[] res, int pixels, int filters, float[] bias, boolean relu) {
        if (filters % L != 0) {
            return 0;
        }
        FloatVector zero = FloatVector.zero(S);
        int n = pixels * filters;
        if (bias == null) {
            for (int i = 0; i < n; i += L) {
                FloatVector.fromArray(S, res, i).max(zero).intoArray(res, i);
            }
            return pixels;
        }
        for (int o = 0; o < n; o += filters) {
            for (int f0 = 0; f0 < filters; f0 += L) {
                FloatVector v = FloatVector.fromArray(S, res, o + f0).add(FloatVector.fromArray(S, bias, f0));
                (relu ? v.max(zero) : v).intoArray(res, o + f0);
            }
        }
        return pixels;
    }

    /** Images in each fixed part of the batch whose filter gradient is summed on its own. */
    private static final int IMAGES_PER_PART = 2;
    /**
     * Four taps at a time in the filter gradient, with 16 vector registers (AVX2): eight taps x two
     * vectors are 16 accumulators, which C2 spilled to the stack. Speech's 3x3x16 -> 32 filter
     * gradient at batch 64 on a Zen 3 (2 threads): 15-22 against 24-25 ms (medians of 100 calls).
     */
    private static final boolean FOUR_TAPS = VectorSgemmKernel.REGISTERS < 32;

    /**
     * gk [kh, kw, c, filters] = Σ over images and output pixels of each window tap's input value ×
     * the pixel's output gradient, straight from the images (no column matrix). The batch is cut
     * into fixed parts of {@link #IMAGES_PER_PART} images whose sums are added in order, so the
     * result does not depend on the thread count. Eight taps (four with 16 vector registers) × up
     * to two filter vectors are summed in registers over a whole image at a time.
     */
    static void backwardFilter(MemorySegment x, MemorySegment gy, int filters, Window2d g, MemorySegment gk,
                               CpuThreads threads) {
        int c = g.channels();
        int kw = g.windowWidth();
        int taps = g.windowHeight() * kw * c;
        int fp = (filters + L - 1) / L * L;
        int wp = CpuConvolution.paddedWidth(g);
        int[] offset = new int[taps];
        for (int t = 0; t < taps; t++) {
            int ky = t / (kw * c);
            int rest = t % (kw * c);
            offset[t] = ky * wp * c + rest;
        }
        // each output pixel's window corner in the padded image, the same for every image
        int[] corner = new int[g.outHeight() * g.outWidth()];
        for (int oy = 0, p = 0; oy < g.outHeight(); oy++) {
            for (int ox = 0; ox < g.outWidth(); ox++, p++) {
                corner[p] = (oy * g.strideHeight() * wp + ox * g.strideWidth()) * c;
            }
        }
        int parts = (g.batch() + IMAGES_PER_PART - 1) / IMAGES_PER_PART;
        float[][] partial = new float[parts][];
        threads.parallelFor(parts, part -> {
            float[] sum = new float[taps * fp];
            int end = Math.min(g.batch(), (part + 1) * IMAGES_PER_PART);
            for (int b = part * IMAGES_PER_PART; b < end; b++) {
                filterImage(x, gy, filters, fp, g, b, offset, corner, sum);
            }
            partial[part] = sum;
        });
        float[] total = partial[0];
        for (int p = 1; p < parts; p++) {
            float[] next = partial[p];
            for (int i = 0; i < total.length; i += L) {
                FloatVector.fromArray(S, total, i).add(FloatVector.fromArray(S, next, i)).intoArray(total, i);
            }
        }
        for (int t = 0; t < taps; t++) {
            MemorySegment.copy(total, t * fp, gk, JAVA_FLOAT, (long) t * filters * Float.BYTES, filters);
        }
    }

    /** sum [taps, fp] += image b's filter gradient; its gradient rows staged fp floats apart, zero past filters. */
    private static void filterImage(MemorySegment x, MemorySegment gy, int filters, int fp, Window2d g, int b,
                                    int[] offset, int[] corner, float[] sum) {
        int c = g.channels();
        int oh = g.outHeight();
        int ow = g.outWidth();
        int pixels = oh * ow;
        int wp = CpuConvolution.paddedWidth(g);
        float[] img = CpuConvolution.paddedImage(x, g, b);
        float[] grad = Scratch.floats(Scratch.CONV_OUT, pixels * fp);
        long from = (long) b * pixels * filters;
        if (fp == filters) {
            MemorySegment.copy(gy, JAVA_FLOAT, from * Float.BYTES, grad, 0, pixels * filters);
        } else {
            for (int p = 0; p < pixels; p++) {
                MemorySegment.copy(gy, JAVA_FLOAT, (from + (long) p * filters) * Float.BYTES, grad, p * fp, filters);
                java.util.Arrays.fill(grad, p * fp + filters, (p + 1) * fp, 0f);
            }
        }
        int taps = offset.length;
        int t0 = 0;
        for (; FOUR_TAPS && t0 + 4 <= taps; t0 += 4) {
            int f0 = 0;
            for (; f0 + 2 * L <= fp; f0 += 2 * L) {
                fourTaps2(img, grad, fp, corner, offset, t0, f0, sum);
            }
            for (; f0 < fp; f0 += L) {
                fourTaps1(img, grad, fp, corner, offset, t0, f0, sum);
            }
        }
        for (; t0 + 8 <= taps; t0 += 8) {
            int f0 = 0;
            for (; f0 + 2 * L <= fp; f0 += 2 * L) {
                eightTaps2(img, grad, fp, corner, offset, t0, f0, sum);
            }
            for (; f0 < fp; f0 += L) {
                eightTaps1(img, grad, fp, corner, offset, t0, f0, sum);
            }
        }
        for (; t0 < taps; t0++) {
            int o = offset[t0];
            for (int f0 = 0; f0 < fp; f0 += L) {
                FloatVector acc = FloatVector.fromArray(S, sum, t0 * fp + f0);
                for (int p = 0; p < pixels; p++) {
                    acc = FloatVector.broadcast(S, img[corner[p] + o]).fma(FloatVector.fromArray(S, grad, p * fp + f0), acc);
                }
                acc.intoArray(sum, t0 * fp + f0);
            }
        }
    }

    /** Taps [t0, t0 + 8) × filters [f0, f0 + 2L) over every pixel: sixteen accumulators. */
    private static void eightTaps2(float[] img, float[] grad, int fp, int[] corner, int[] offset, int t0, int f0,
                                   float[] sum) {
        int o0 = offset[t0];
        int o1 = offset[t0 + 1];
        int o2 = offset[t0 + 2];
        int o3 = offset[t0 + 3];
        int o4 = offset[t0 + 4];
        int o5 = offset[t0 + 5];
        int o6 = offset[t0 + 6];
        int o7 = offset[t0 + 7];
        int s = t0 * fp + f0;
        FloatVector a0 = FloatVector.fromArray(S, sum, s);
        FloatVector a1 = FloatVector.fromArray(S, sum, s + L);
        FloatVector b0 = FloatVector.fromArray(S, sum, s + fp);
        FloatVector b1 = FloatVector.fromArray(S, sum, s + fp + L);
        FloatVector c0 = FloatVector.fromArray(S, sum, s + 2 * fp);
        FloatVector c1 = FloatVector.fromArray(S, sum, s + 2 * fp + L);
        FloatVector d0 = FloatVector.fromArray(S, sum, s + 3 * fp);
        FloatVector d1 = FloatVector.fromArray(S, sum, s + 3 * fp + L);
        FloatVector e0 = FloatVector.fromArray(S, sum, s + 4 * fp);
        FloatVector e1 = FloatVector.fromArray(S, sum, s + 4 * fp + L);
        FloatVector g0 = FloatVector.fromArray(S, sum, s + 5 * fp);
        FloatVector g1 = FloatVector.fromArray(S, sum, s + 5 * fp + L);
        FloatVector h0 = FloatVector.fromArray(S, sum, s + 6 * fp);
        FloatVector h1 = FloatVector.fromArray(S, sum, s + 6 * fp + L);
        FloatVector i0 = FloatVector.fromArray(S, sum, s + 7 * fp);
        FloatVector i1 = FloatVector.fromArray(S, sum, s + 7 * fp + L);
        for (int p = 0; p < corner.length; p++) {
            int q = corner[p];
            FloatVector u = FloatVector.fromArray(S, grad, p * fp + f0);
            FloatVector v = FloatVector.fromArray(S, grad, p * fp + f0 + L);
            FloatVector x = FloatVector.broadcast(S, img[q + o0]);
            a0 = x.fma(u, a0);
            a1 = x.fma(v, a1);
            x = FloatVector.broadcast(S, img[q + o1]);
            b0 = x.fma(u, b0);
            b1 = x.fma(v, b1);
            x = FloatVector.broadcast(S, img[q + o2]);
            c0 = x.fma(u, c0);
            c1 = x.fma(v, c1);
            x = FloatVector.broadcast(S, img[q + o3]);
            d0 = x.fma(u, d0);
            d1 = x.fma(v, d1);
            x = FloatVector.broadcast(S, img[q + o4]);
            e0 = x.fma(u, e0);
            e1 = x.fma(v, e1);
            x = FloatVector.broadcast(S, img[q + o5]);
            g0 = x.fma(u, g0);
            g1 = x.fma(v, g1);
            x = FloatVector.broadcast(S, img[q + o6]);
            h0 = x.fma(u, h0);
            h1 = x.fma(v, h1);
            x = FloatVector.broadcast(S, img[q + o7]);
            i0 = x.fma(u, i0);
            i1 = x.fma(v, i1);
        }
        a0.intoArray(sum, s);
        a1.intoArray(sum, s + L);
        b0.intoArray(sum, s + fp);
        b1.intoArray(sum, s + fp + L);
        c0.intoArray(sum, s + 2 * fp);
        c1.intoArray(sum, s + 2 * fp + L);
        d0.intoArray(sum, s + 3 * fp);
        d1.intoArray(sum, s + 3 * fp + L);
        e0.intoArray(sum, s + 4 * fp);
        e1.intoArray(sum, s + 4 * fp + L);
        g0.intoArray(sum, s + 5 * fp);
        g1.intoArray(sum, s + 5 * fp + L);
        h0.intoArray(sum, s + 6 * fp);
        h1.intoArray(sum, s + 6 * fp + L);
        i0.intoArray(sum, s + 7 * fp);
        i1.intoArray(sum, s + 7 * fp + L);
    }

    /** Taps [t0, t0 + 4) × filters [f0, f0 + 2L) over every pixel: eight accumulators. */
    private static void fourTaps2(float[] img, float[] grad, int fp, int[] corner, int[] offset, int t0, int f0,
                                  float[] sum) {
        int o0 = offset[t0];
        int o1 = offset[t0 + 1];
        int o2 = offset[t0 + 2];
        int o3 = offset[t0 + 3];
        int s = t0 * fp + f0;
        FloatVector a0 = FloatVector.fromArray(S, sum, s);
        FloatVector a1 = FloatVector.fromArray(S, sum, s + L);
        FloatVector b0 = FloatVector.fromArray(S, sum, s + fp);
        FloatVector b1 = FloatVector.fromArray(S, sum, s + fp + L);
        FloatVector c0 = FloatVector.fromArray(S, sum, s + 2 * fp);
        FloatVector c1 = FloatVector.fromArray(S, sum, s + 2 * fp + L);
        FloatVector d0 = FloatVector.fromArray(S, sum, s + 3 * fp);
        FloatVector d1 = FloatVector.fromArray(S, sum, s + 3 * fp + L);
        for (int p = 0; p < corner.length; p++) {
            int q = corner[p];
            FloatVector u = FloatVector.fromArray(S, grad, p * fp + f0);
            FloatVector v = FloatVector.fromArray(S, grad, p * fp + f0 + L);
            FloatVector x = FloatVector.broadcast(S, img[q + o0]);
            a0 = x.fma(u, a0);
            a1 = x.fma(v, a1);
            x = FloatVector.broadcast(S, img[q + o1]);
            b0 = x.fma(u, b0);
            b1 = x.fma(v, b1);
            x = FloatVector.broadcast(S, img[q + o2]);
            c0 = x.fma(u, c0);
            c1 = x.fma(v, c1);
            x = FloatVector.broadcast(S, img[q + o3]);
            d0 = x.fma(u, d0);
            d1 = x.fma(v, d1);
        }
        a0.intoArray(sum, s);
        a1.intoArray(sum, s + L);
        b0.intoArray(sum, s + fp);
        b1.intoArray(sum, s + fp + L);
        c0.intoArray(sum, s + 2 * fp);
        c1.intoArray(sum, s + 2 * fp + L);
        d0.intoArray(sum, s + 3 * fp);
        d1.intoArray(sum, s + 3 * fp + L);
    }

    /** Taps [t0, t0 + 4) × filters [f0, f0 + L) over every pixel: four accumulators. */
    private static void fourTaps1(float[] img, float[] grad, int fp, int[] corner, int[] offset, int t0, int f0,
                                  float[] sum) {
        int o0 = offset[t0];
        int o1 = offset[t0 + 1];
        int o2 = offset[t0 + 2];
        int o3 = offset[t0 + 3];
        int s = t0 * fp + f0;
        FloatVector a = FloatVector.fromArray(S, sum, s);
        FloatVector b = FloatVector.fromArray(S, sum, s + fp);
        FloatVector c = FloatVector.fromArray(S, sum, s + 2 * fp);
        FloatVector d = FloatVector.fromArray(S, sum, s + 3 * fp);
        for (int p = 0; p < corner.length; p++) {
            int q = corner[p];
            FloatVector u = FloatVector.fromArray(S, grad, p * fp + f0);
            a = FloatVector.broadcast(S, img[q + o0]).fma(u, a);
            b = FloatVector.broadcast(S, img[q + o1]).fma(u, b);
            c = FloatVector.broadcast(S, img[q + o2]).fma(u, c);
            d = FloatVector.broadcast(S, img[q + o3]).fma(u, d);
        }
        a.intoArray(sum, s);
        b.intoArray(sum, s + fp);
        c.intoArray(sum, s + 2 * fp);
        d.intoArray(sum, s + 3 * fp);
    }

    /** Taps [t0, t0 + 8) × filters [f0, f0 + L) over every pixel: eight accumulators. */
    private static void eightTaps1(float[] img, float[] grad, int fp, int[] corner, int[] offset, int t0, int f0,
                                   float[] sum) {
        int o0 = offset[t0];
        int o1 = offset[t0 + 1];
        int o2 = offset[t0 + 2];
        int o3 = offset[t0 + 3];
        int o4 = offset[t0 + 4];
        int o5 = offset[t0 + 5];
        int o6 = offset[t0 + 6];
        int o7 = offset[t0 + 7];
        int s = t0 * fp + f0;
        FloatVector a = FloatVector.fromArray(S, sum, s);
        FloatVector b = FloatVector.fromArray(S, sum, s + fp);
        FloatVector c = FloatVector.fromArray(S, sum, s + 2 * fp);
        FloatVector d = FloatVector.fromArray(S, sum, s + 3 * fp);
        FloatVector e = FloatVector.fromArray(S, sum, s + 4 * fp);
        FloatVector f = FloatVector.fromArray(S, sum, s + 5 * fp);
        FloatVector g = FloatVector.fromArray(S, sum, s + 6 * fp);
        FloatVector h = FloatVector.fromArray(S, sum, s + 7 * fp);
        for (int p = 0; p < corner.length; p++) {
            int q = corner[p];
            FloatVector u = FloatVector.fromArray(S, grad, p * fp + f0);
            a = FloatVector.broadcast(S, img[q + o0]).fma(u, a);
            b = FloatVector.broadcast(S, img[q + o1]).fma(u, b);
            c = FloatVector.broadcast(S, img[q + o2]).fma(u, c);
            d = FloatVector.broadcast(S, img[q + o3]).fma(u, d);
            e = FloatVector.broadcast(S, img[q + o4]).fma(u, e);
            f = FloatVector.broadcast(S, img[q + o5]).fma(u, f);
            g = FloatVector.broadcast(S, img[q + o6]).fma(u, g);
            h = FloatVector.broadcast(S, img[q + o7]).fma(u, h);
        }
        a.intoArray(sum, s);
        b.intoArray(sum, s + fp);
        c.intoArray(sum, s + 2 * fp);
        d.intoArray(sum, s + 3 * fp);
        e.intoArray(sum, s + 4 * fp);
        f.intoArray(sum, s + 5 * fp);
        g.intoArray(sum, s + 6 * fp);
        h.intoArray(sum, s + 7 * fp);
    }

    private static void image(MemorySegment x, float[] k, float[] bias, boolean relu, int filters, Window2d g, int b,
                              MemorySegment out) {
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
        // Blocks of output pixels share each weight load and keep 8 independent chains in flight
        // (one chain a pixel waits on the fused multiply-add's latency at every tap). A row's last
        // block ends at the row's end, overlapping the one before: its pixels are computed twice,
        // to the same bits, instead of one by one.
        int blocked = filters >= 2 * L ? 4 : ow >= 8 ? 8 : 4;
        for (int oy = 0; oy < oh; oy++) {
            if (ow < blocked) {
                for (int ox = 0; ox < ow; ox++) {
                    pixel(img, k, filters, (oy * sh * wp + ox * sw) * c, rowStep, kh, run, 0, res,
                            (oy * ow + ox) * filters);
                }
                continue;
            }
            for (int start = 0; ; start += blocked) {
                int ox = Math.min(start, ow - blocked);
                block(img, k, filters, (oy * sh * wp + ox * sw) * c, step, rowStep, kh, run, res,
                        (oy * ow + ox) * filters, blocked);
                if (ox == ow - blocked) {
                    break;
                }
            }
        }
        if (bias != null || relu) {
            CpuConvolution.epilogue(res, oh * ow, filters, bias, relu);
        }
        MemorySegment.copy(res, 0, out, JAVA_FLOAT, (long) b * size * Float.BYTES, size);
    }

    /** {@code blocked} (4 or 8) neighbouring output pixels × all filters. */
    private static void block(float[] img, float[] k, int filters, int corner, int step, int rowStep, int kh,
                              int run, float[] res, int at, int blocked) {
        int f0 = 0;
        if (blocked == 4) {
            for (; f0 + 2 * L <= filters; f0 += 2 * L) {
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
