package dev.isthmus.nn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

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
 * bit for bit what its definition as im2col followed by {@link Sgemm} gives, on any thread count.
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
                Arguments.of(2, 10, 10, 64, 3, 3, 1, 1, Padding.SAME, 8));
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

    private static MemorySegment random(Arena arena, long count, SplittableRandom r) {
        MemorySegment s = arena.allocate(count * Float.BYTES, 64);
        for (long i = 0; i < count; i++) {
            s.setAtIndex(F, i, (float) r.nextDouble(-1, 1));
        }
        return s;
    }
}
