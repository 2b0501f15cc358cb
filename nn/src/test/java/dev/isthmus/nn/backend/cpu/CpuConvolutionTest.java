package dev.isthmus.nn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.nn.backend.Window2d;
import dev.isthmus.nn.backend.Window2d.Padding;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The convolution forward, whatever kernel runs it (the direct one for shallow windows), gives
 * bit for bit what its definition as im2col followed by {@link Sgemm} gives, on any thread count;
 * max pooling, vector or scalar search, decides exactly as its definition.
 */
class CpuConvolutionTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    static Stream<Arguments> shapes() {
        // batch, height, width, channels, kernel h, kernel w, stride h, stride w, padding, filters
        return Stream.of(
                Arguments.of(8, 28, 28, 1, 3, 3, 1, 1, Padding.VALID, 32),
                Arguments.of(4, 17, 19, 2, 3, 3, 2, 2, Padding.SAME, 20),
                Arguments.of(3, 16, 11, 16, 3, 3, 1, 1, Padding.VALID, 32),
                Arguments.of(5, 12, 13, 3, 5, 4, 1, 2, Padding.SAME, 7),
                Arguments.of(2, 9, 9, 4, 2, 2, 3, 3, Padding.SAME, 17),
                Arguments.of(2, 10, 10, 64, 3, 3, 1, 1, Padding.SAME, 8),
                // the blocked direct kernels: 4 pixels × 2 vectors then 4 × 1 (48 filters), 8 pixels × 1
                // vector (16), with pixels left over after the blocks (widths 13, 21, 25)
                Arguments.of(2, 13, 23, 1, 3, 3, 1, 1, Padding.VALID, 48),
                Arguments.of(3, 11, 27, 1, 3, 3, 1, 1, Padding.VALID, 16),
                Arguments.of(2, 15, 13, 16, 3, 3, 2, 1, Padding.SAME, 33));
    }

    @ParameterizedTest(name = "{0}x{1}x{2}x{3} * {4}x{5} stride {6}x{7} {8} -> {9}")
    @MethodSource("shapes")
    void forwardEqualsIm2colThenSgemmBitForBit(int n, int h, int w, int c, int kh, int kw, int sh, int sw,
                                             Padding padding, int filters) {
        Window2d g = Window2d.of(n, h, w, c, kh, kw, sh, sw, padding);
        SplittableRandom r = new SplittableRandom(n * 31L + filters);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = random(arena, (long) n * h * w * c, r);
            MemorySegment k = random(arena, (long) kh * kw * c * filters, r);
            long pixels = (long) n * g.outHeight() * g.outWidth();
            int cols = kh * kw * c;
            MemorySegment columns = arena.allocate(pixels * cols * Float.BYTES, 64);
            long o = 0;
            for (int b = 0; b < n; b++) {
                for (int oy = 0; oy < g.outHeight(); oy++) {
                    for (int ox = 0; ox < g.outWidth(); ox++) {
                        for (int ky = 0; ky < kh; ky++) {
                            for (int kx = 0; kx < kw; kx++) {
                                for (int ch = 0; ch < c; ch++, o++) {
                                    int iy = oy * sh - g.padTop() + ky;
                                    int ix = ox * sw - g.padLeft() + kx;
                                    boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                                    columns.setAtIndex(F, o, inside
                                            ? x.getAtIndex(F, (((long) b * h + iy) * w + ix) * c + ch) : 0f);
                                }
                            }
                        }
                    }
                }
            }
            MemorySegment expected = arena.allocate(pixels * filters * Float.BYTES, 64);
            try (CpuThreads one = new CpuThreads(1)) {
                Sgemm.sgemm(false, false, (int) pixels, filters, cols, 1f, columns, 0, cols, k, 0, filters, 0f,
                        expected, 0, filters, one);
            }
            float[] want = expected.toArray(F);
            for (int threads = 1; threads <= 3; threads++) {
                MemorySegment out = arena.allocate(pixels * filters * Float.BYTES, 64);
                try (CpuThreads t = new CpuThreads(threads)) {
                    CpuConvolution.forward(x, k, filters, g, out, t);
                }
                assertArrayEquals(want, out.toArray(F), threads + " threads");
            }
        }
    }

    /**
     * Both gradients, whatever computes them (the direct kernels for shallow windows, the
     * transposed convolution for stride 1, or im2col + SGEMM), match their definitions summed in
     * double, and are bit for bit the same on 1, 2 and 3 threads.
     */
    @ParameterizedTest(name = "{0}x{1}x{2}x{3} * {4}x{5} stride {6}x{7} {8} -> {9}")
    @MethodSource("shapes")
    void gradientsMatchTheirDefinitionsOnAnyThreadCount(int n, int h, int w, int c, int kh, int kw, int sh, int sw,
                                                       Padding padding, int filters) {
        Window2d g = Window2d.of(n, h, w, c, kh, kw, sh, sw, padding);
        SplittableRandom r = new SplittableRandom(n * 17L + filters);
        int oh = g.outHeight();
        int ow = g.outWidth();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = random(arena, (long) n * h * w * c, r);
            MemorySegment k = random(arena, (long) kh * kw * c * filters, r);
            MemorySegment gy = random(arena, (long) n * oh * ow * filters, r);
            double[] gk = new double[kh * kw * c * filters];
            double[] gx = new double[n * h * w * c];
            for (int b = 0; b < n; b++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        for (int ky = 0; ky < kh; ky++) {
                            for (int kx = 0; kx < kw; kx++) {
                                int iy = oy * sh - g.padTop() + ky;
                                int ix = ox * sw - g.padLeft() + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                    continue;
                                }
                                for (int ch = 0; ch < c; ch++) {
                                    int xi = ((b * h + iy) * w + ix) * c + ch;
                                    for (int f = 0; f < filters; f++) {
                                        double d = gy.getAtIndex(F, ((long) (b * oh + oy) * ow + ox) * filters + f);
                                        int ki = ((ky * kw + kx) * c + ch) * filters + f;
                                        gk[ki] += x.getAtIndex(F, xi) * d;
                                        gx[xi] += k.getAtIndex(F, ki) * d;
                                    }
                                }
                            }
                        }
                    }
                }
            }
            float[] firstK = null;
            float[] firstX = null;
            for (int threads = 1; threads <= 3; threads++) {
                MemorySegment outK = arena.allocate((long) gk.length * Float.BYTES, 64);
                MemorySegment outX = arena.allocate((long) gx.length * Float.BYTES, 64);
                try (CpuThreads t = new CpuThreads(threads)) {
                    CpuConvolution.backwardFilter(x, gy, filters, g, outK, t);
                    CpuConvolution.backwardData(gy, k, filters, g, outX, t);
                }
                float[] gotK = outK.toArray(F);
                float[] gotX = outX.toArray(F);
                if (firstK == null) {
                    firstK = gotK;
                    firstX = gotX;
                    for (int i = 0; i < gk.length; i++) {
                        assertEquals(gk[i], gotK[i], 1e-4 * Math.max(1, Math.abs(gk[i])), "kernel gradient " + i);
                    }
                    for (int i = 0; i < gx.length; i++) {
                        assertEquals(gx[i], gotX[i], 1e-4 * Math.max(1, Math.abs(gx[i])), "input gradient " + i);
                    }
                } else {
                    assertArrayEquals(firstK, gotK, threads + " threads, kernel gradient");
                    assertArrayEquals(firstX, gotX, threads + " threads, input gradient");
                }
            }
        }
    }

    static Stream<Arguments> pools() {
        // channels, pool h, pool w, stride h, stride w, padding
        return Stream.of(
                Arguments.of(37, 2, 2, 2, 2, Padding.VALID),
                Arguments.of(37, 3, 3, 2, 2, Padding.SAME),
                Arguments.of(16, 3, 2, 1, 1, Padding.SAME),
                Arguments.of(5, 2, 2, 2, 2, Padding.SAME));
    }

    /**
     * Max pooling over ties, signed zeros, infinities and NaNs of any sign and payload: the value of
     * the first position holding the largest in {@link Math#max}'s order, and the gradient to it.
     */
    @ParameterizedTest(name = "{0} channels, {1}x{2} pool stride {3}x{4} {5}")
    @MethodSource("pools")
    void maxPoolingPicksTheFirstLargestInMathMaxOrder(int c, int ph, int pw, int sh, int sw, Padding padding) {
        int n = 2;
        int h = 7;
        int w = 6;
        Window2d g = Window2d.of(n, h, w, c, ph, pw, sh, sw, padding);
        float[] special = {Float.NaN, Float.intBitsToFloat(0xffc00001), Float.intBitsToFloat(0x7f800123), 0f, -0f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1f, -1f, 1f, 0.5f};
        SplittableRandom r = new SplittableRandom(c * 7L + ph);
        int inSize = h * w * c;
        int outSize = g.outHeight() * g.outWidth() * c;
        float[] in = new float[n * inSize];
        for (int i = 0; i < in.length; i++) {
            in[i] = r.nextInt(3) == 0 ? (float) r.nextDouble(-1, 1) : special[r.nextInt(special.length)];
        }
        float[] gy = new float[n * outSize];
        for (int i = 0; i < gy.length; i++) {
            gy[i] = r.nextInt(4) == 0 ? -0f : (float) r.nextDouble(-1, 1);
        }
        float[] wantOut = new float[gy.length];
        float[] wantGx = new float[in.length];
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < g.outHeight(); oy++) {
                for (int ox = 0; ox < g.outWidth(); ox++) {
                    for (int ch = 0; ch < c; ch++) {
                        int best = -1;
                        for (int ky = 0; ky < ph; ky++) {
                            for (int kx = 0; kx < pw; kx++) {
                                int iy = oy * sh - g.padTop() + ky;
                                int ix = ox * sw - g.padLeft() + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                    continue;
                                }
                                int at = b * inSize + (iy * w + ix) * c + ch;
                                if (best < 0 || Float.compare(in[at], in[best]) > 0) {
                                    best = at;
                                }
                            }
                        }
                        int o = b * outSize + (oy * g.outWidth() + ox) * c + ch;
                        wantOut[o] = in[best];
                        wantGx[best] += gy[o];
                    }
                }
            }
        }
        try (Arena arena = Arena.ofShared(); CpuThreads t = new CpuThreads(2)) {
            MemorySegment x = arena.allocate((long) in.length * Float.BYTES, 64);
            MemorySegment.copy(in, 0, x, F, 0, in.length);
            MemorySegment out = arena.allocate((long) gy.length * Float.BYTES, 64);
            CpuConvolution.maxPool(x, g, out, t);
            assertArrayEquals(bits(wantOut), bits(out.toArray(F)), "forward");
            MemorySegment grad = arena.allocate((long) gy.length * Float.BYTES, 64);
            MemorySegment.copy(gy, 0, grad, F, 0, gy.length);
            MemorySegment gx = arena.allocate((long) in.length * Float.BYTES, 64);
            CpuConvolution.maxPoolBackward(x, grad, g, gx, t);
            assertArrayEquals(bits(wantGx), bits(gx.toArray(F)), "backward");
        }
    }

    /** Raw bits, so that NaN payloads and signed zeros count. */
    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    private static MemorySegment random(Arena arena, long count, SplittableRandom r) {
        MemorySegment s = arena.allocate(count * Float.BYTES, 64);
        for (long i = 0; i < count; i++) {
            s.setAtIndex(F, i, (float) r.nextDouble(-1, 1));
        }
        return s;
    }
}
