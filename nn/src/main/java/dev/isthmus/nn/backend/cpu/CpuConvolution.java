package dev.isthmus.nn.backend.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.isthmus.nn.backend.Window2d;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Channels-last convolution as im2col + SGEMM, and max pooling. The column matrix has one row per
 * output pixel and the kernel's [kh, kw, c] order per row, so the Keras kernel [kh, kw, c, f] is
 * already the GEMM's right-hand matrix and the product is already NHWC. Images are processed in
 * chunks so the column matrix stays under {@link #COLUMN_BYTES}.
 */
final class CpuConvolution {
    private static final long COLUMN_BYTES = 32L << 20;

    private CpuConvolution() {
    }

    private static int imagesPerChunk(Window2d g) {
        long perImage = (long) g.outHeight() * g.outWidth() * columns(g) * Float.BYTES;
        return (int) Math.max(1, Math.min(g.batch(), COLUMN_BYTES / Math.max(perImage, 1)));
    }

    private static int columns(Window2d g) {
        return g.windowHeight() * g.windowWidth() * g.channels();
    }

    static void forward(MemorySegment x, MemorySegment kernel, int filters, Window2d g, MemorySegment out,
                        CpuThreads threads) {
        int cols = columns(g);
        int pixels = g.outHeight() * g.outWidth();
        int chunk = imagesPerChunk(g);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate((long) chunk * pixels * cols * Float.BYTES, 64);
            for (int b0 = 0; b0 < g.batch(); b0 += chunk) {
                int nb = Math.min(chunk, g.batch() - b0);
                int first = b0;
                threads.parallelFor(nb, i -> im2col(x, g, first + i, buf, (long) i * pixels * cols));
                Sgemm.sgemm(false, false, nb * pixels, filters, cols, 1f, buf, 0, cols, kernel, 0, filters,
                        0f, out, (long) b0 * pixels * filters, filters, threads);
            }
        }
    }

    static void backwardFilter(MemorySegment x, MemorySegment gy, int filters, Window2d g, MemorySegment gk,
                               CpuThreads threads) {
        int cols = columns(g);
        int pixels = g.outHeight() * g.outWidth();
        int chunk = imagesPerChunk(g);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate((long) chunk * pixels * cols * Float.BYTES, 64);
            for (int b0 = 0; b0 < g.batch(); b0 += chunk) {
                int nb = Math.min(chunk, g.batch() - b0);
                int first = b0;
                threads.parallelFor(nb, i -> im2col(x, g, first + i, buf, (long) i * pixels * cols));
                Sgemm.sgemm(true, false, cols, filters, nb * pixels, 1f, buf, 0, cols, gy, (long) b0 * pixels * filters,
                        filters, b0 == 0 ? 0f : 1f, gk, 0, filters, threads);
            }
        }
    }

    static void backwardData(MemorySegment gy, MemorySegment kernel, int filters, Window2d g, MemorySegment gx,
                             CpuThreads threads) {
        int cols = columns(g);
        int pixels = g.outHeight() * g.outWidth();
        int chunk = imagesPerChunk(g);
        gx.fill((byte) 0);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate((long) chunk * pixels * cols * Float.BYTES, 64);
            for (int b0 = 0; b0 < g.batch(); b0 += chunk) {
                int nb = Math.min(chunk, g.batch() - b0);
                Sgemm.sgemm(false, true, nb * pixels, cols, filters, 1f, gy, (long) b0 * pixels * filters, filters,
                        kernel, 0, filters, 0f, buf, 0, cols, threads);
                int first = b0;
                threads.parallelFor(nb, i -> col2im(buf, (long) i * pixels * cols, g, first + i, gx));
            }
        }
    }

    /** Writes image b's column rows (one per output pixel) at {@code at}; padding reads as zero. */
    private static void im2col(MemorySegment x, Window2d g, int b, MemorySegment cols, long at) {
        int c = g.channels();
        long rowBytes = (long) c * Float.BYTES;
        long o = at;
        for (int oy = 0; oy < g.outHeight(); oy++) {
            for (int ox = 0; ox < g.outWidth(); ox++) {
                for (int ky = 0; ky < g.windowHeight(); ky++) {
                    int iy = oy * g.strideHeight() - g.padTop() + ky;
                    for (int kx = 0; kx < g.windowWidth(); kx++, o += c) {
                        int ix = ox * g.strideWidth() - g.padLeft() + kx;
                        if (iy < 0 || iy >= g.height() || ix < 0 || ix >= g.width()) {
                            cols.asSlice(o * Float.BYTES, rowBytes).fill((byte) 0);
                        } else {
                            long src = (((long) b * g.height() + iy) * g.width() + ix) * c;
                            if (c == 1) {
                                cols.setAtIndex(JAVA_FLOAT, o, x.getAtIndex(JAVA_FLOAT, src));
                            } else {
                                MemorySegment.copy(x, src * Float.BYTES, cols, o * Float.BYTES, rowBytes);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Adds image b's column gradients back onto its input pixels (the transpose of im2col). */
    private static void col2im(MemorySegment cols, long at, Window2d g, int b, MemorySegment gx) {
        int c = g.channels();
        long o = at;
        for (int oy = 0; oy < g.outHeight(); oy++) {
            for (int ox = 0; ox < g.outWidth(); ox++) {
                for (int ky = 0; ky < g.windowHeight(); ky++) {
                    int iy = oy * g.strideHeight() - g.padTop() + ky;
                    for (int kx = 0; kx < g.windowWidth(); kx++, o += c) {
                        int ix = ox * g.strideWidth() - g.padLeft() + kx;
                        if (iy < 0 || iy >= g.height() || ix < 0 || ix >= g.width()) {
                            continue;
                        }
                        long dst = (((long) b * g.height() + iy) * g.width() + ix) * c;
                        for (int ch = 0; ch < c; ch++) {
                            gx.setAtIndex(JAVA_FLOAT, dst + ch,
                                    gx.getAtIndex(JAVA_FLOAT, dst + ch) + cols.getAtIndex(JAVA_FLOAT, o + ch));
                        }
                    }
                }
            }
        }
    }

    static void maxPool(MemorySegment x, Window2d g, MemorySegment out, CpuThreads threads) {
        threads.parallelFor(g.batch(), b -> {
            int c = g.channels();
            for (int oy = 0; oy < g.outHeight(); oy++) {
                for (int ox = 0; ox < g.outWidth(); ox++) {
                    long o = (((long) b * g.outHeight() + oy) * g.outWidth() + ox) * c;
                    for (int ch = 0; ch < c; ch++) {
                        out.setAtIndex(JAVA_FLOAT, o + ch, x.getAtIndex(JAVA_FLOAT, winner(x, g, b, oy, ox, ch)));
                    }
                }
            }
        });
    }

    static void maxPoolBackward(MemorySegment x, MemorySegment gy, Window2d g, MemorySegment gx, CpuThreads threads) {
        gx.fill((byte) 0);
        threads.parallelFor(g.batch(), b -> {
            int c = g.channels();
            for (int oy = 0; oy < g.outHeight(); oy++) {
                for (int ox = 0; ox < g.outWidth(); ox++) {
                    long o = (((long) b * g.outHeight() + oy) * g.outWidth() + ox) * c;
                    for (int ch = 0; ch < c; ch++) {
                        long w = winner(x, g, b, oy, ox, ch);
                        gx.setAtIndex(JAVA_FLOAT, w, gx.getAtIndex(JAVA_FLOAT, w) + gy.getAtIndex(JAVA_FLOAT, o + ch));
                    }
                }
            }
        });
    }

    /** Flat index of the largest input in the window (the first on ties); a window always holds one real pixel. */
    private static long winner(MemorySegment x, Window2d g, int b, int oy, int ox, int ch) {
        int c = g.channels();
        long best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
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
                long i = (((long) b * g.height() + iy) * g.width() + ix) * c + ch;
                float v = x.getAtIndex(JAVA_FLOAT, i);
                if (best < 0 || v > bestValue || (Float.isNaN(v) && !Float.isNaN(bestValue))) {
                    best = i;
                    bestValue = v;
                }
            }
        }
        return best;
    }
}
