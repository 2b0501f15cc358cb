package dev.isthmus.nn.backend.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.isthmus.nn.backend.Window2d;
import java.lang.foreign.MemorySegment;

/**
 * Channels-last convolution as im2col + SGEMM, and max pooling. The column matrix has one row per
 * output pixel and the kernel's [kh, kw, c] order per row, so the Keras kernel [kh, kw, c, f] is
 * already the GEMM's right-hand matrix and the product is already NHWC. Images are processed in
 * chunks so the column matrix stays under {@link #COLUMN_BYTES}.
 */
final class CpuConvolution {
    private static final long COLUMN_BYTES = 32L << 20;
    private static final boolean VECTOR = Sgemm.vectorized();

    private CpuConvolution() {
    }

    private static int imagesPerChunk(Window2d g) {
        long perImage = (long) g.outHeight() * g.outWidth() * columns(g) * Float.BYTES;
        return (int) Math.max(1, Math.min(g.batch(), COLUMN_BYTES / Math.max(perImage, 1)));
    }

    private static int columns(Window2d g) {
        return g.windowHeight() * g.windowWidth() * g.channels();
    }

    /** What to do with the column matrix of images [first, first + count): rows = count × output pixels. */
    @FunctionalInterface
    private interface ColumnChunk {
        void use(MemorySegment columns, int first, int count);
    }

    /** Builds the column matrix chunk by chunk (images in parallel) and hands each chunk on. */
    private static void forEachColumnChunk(MemorySegment x, Window2d g, CpuThreads threads, ColumnChunk body) {
        int cols = columns(g);
        int pixels = g.outHeight() * g.outWidth();
        int chunk = imagesPerChunk(g);
        try (Workspace.Block block = Workspace.take((long) chunk * pixels * cols * Float.BYTES)) {
            MemorySegment buf = block.memory();
            for (int b0 = 0; b0 < g.batch(); b0 += chunk) {
                int nb = Math.min(chunk, g.batch() - b0);
                int first = b0;
                threads.parallelFor(nb, i -> im2col(x, g, first + i, buf, (long) i * pixels * cols));
                body.use(buf, b0, nb);
            }
        }
    }

    static void forward(MemorySegment x, MemorySegment kernel, int filters, Window2d g, MemorySegment out,
                        CpuThreads threads) {
        forward(x, kernel, null, false, filters, g, out, threads);
    }

    /**
     * out = conv(x, kernel), then + bias (when not null) and ReLU (when {@code relu}) while each
     * part of the output is still in cache: what the three separate operations give, bit for bit.
     */
    static void forward(MemorySegment x, MemorySegment kernel, MemorySegment bias, boolean relu, int filters,
                        Window2d g, MemorySegment out, CpuThreads threads) {
        int cols = columns(g);
        int pixels = g.outHeight() * g.outWidth();
        int chunk = imagesPerChunk(g);
        int lastChunk = g.batch() % chunk == 0 ? chunk : g.batch() % chunk;
        float[] b = bias == null ? null : bias.asSlice(0, (long) filters * Float.BYTES).toArray(JAVA_FLOAT);
        if (direct(g, filters, lastChunk)) {
            VectorConvolution.forward(x, kernel, b, relu, filters, g, 0, g.batch(), out, threads);
            return;
        }
        forEachColumnChunk(x, g, threads, (buf, b0, nb) -> {
            Sgemm.sgemm(false, false, nb * pixels, filters, cols, 1f, buf, 0, cols, kernel, 0, filters, 0f, out,
                    (long) b0 * pixels * filters, filters, threads);
            if (b != null || relu) {
                threads.parallelFor(nb, i -> {
                    float[] res = Scratch.floats(Scratch.CONV_OUT, pixels * filters);
                    long at = (long) (b0 + i) * pixels * filters * Float.BYTES;
                    MemorySegment.copy(out, JAVA_FLOAT, at, res, 0, pixels * filters);
                    epilogue(res, pixels, filters, b, relu);
                    MemorySegment.copy(res, 0, out, JAVA_FLOAT, at, pixels * filters);
                });
            }
        });
    }

    /** res [pixels, filters] = relu?(res + bias) in place, as the separate ADD and RELU compute it. */
    static void epilogue(float[] res, int pixels, int filters, float[] bias, boolean relu) {
        int p0 = VECTOR ? VectorConvolution.epilogue(res, pixels, filters, bias, relu) : 0;
        for (int p = p0, o = p0 * filters; p < pixels; p++, o += filters) {
            if (bias != null) {
                for (int j = 0; j < filters; j++) {
                    res[o + j] += bias[j];
                }
            }
            if (relu) {
                for (int j = 0; j < filters; j++) {
                    res[o + j] = Math.max(res[o + j], 0f);
                }
            }
        }
    }

    /**
     * Whether the direct kernel computes what im2col + SGEMM would: with the Vector API, a window
     * within one SGEMM depth block, and every chunk's product (the last, {@code lastChunk} images,
     * is the smallest) large enough for the vector kernel rather than the small-product loops.
     */
    private static boolean direct(Window2d g, int filters, int lastChunk) {
        long pixels = (long) g.outHeight() * g.outWidth();
        return Sgemm.vectorized() && columns(g) <= VectorSgemmKernel.KC
                && lastChunk * pixels * filters * columns(g) >= Sgemm.SMALL_FMAS;
    }

    /** The window {@link VectorConvolution#backwardData} slides over the output gradient (stride 1 only). */
    static Window2d transposed(Window2d g, int filters) {
        return new Window2d(g.batch(), g.outHeight(), g.outWidth(), filters, g.windowHeight(), g.windowWidth(), 1, 1,
                g.windowHeight() - 1 - g.padTop(), g.windowWidth() - 1 - g.padLeft(), g.height(), g.width());
    }

    static void backwardFilter(MemorySegment x, MemorySegment gy, int filters, Window2d g, MemorySegment gk,
                               CpuThreads threads) {
        if (Sgemm.vectorized() && columns(g) <= VectorSgemmKernel.KC) {
            VectorConvolution.backwardFilter(x, gy, filters, g, gk, threads);
            return;
        }
        int cols = columns(g);
        int pixels = g.outHeight() * g.outWidth();
        // gk = Σ over chunks of columnsᵀ · gy: the first chunk overwrites, the rest accumulate
        forEachColumnChunk(x, g, threads, (buf, b0, nb) -> Sgemm.sgemm(true, false, cols, filters, nb * pixels, 1f,
                buf, 0, cols, gy, (long) b0 * pixels * filters, filters, b0 == 0 ? 0f : 1f, gk, 0, filters, threads));
    }

    static void backwardData(MemorySegment gy, MemorySegment kernel, int filters, Window2d g, MemorySegment gx,
                             CpuThreads threads) {
        if (Sgemm.vectorized() && g.strideHeight() == 1 && g.strideWidth() == 1) {
            Window2d back = transposed(g, filters);
            if (direct(back, g.channels(), g.batch())) {
                VectorConvolution.backwardData(gy, kernel, filters, g, gx, threads);
                return;
            }
        }
        int cols = columns(g);
        int pixels = g.outHeight() * g.outWidth();
        int chunk = imagesPerChunk(g);
        try (Workspace.Block block = Workspace.take((long) chunk * pixels * cols * Float.BYTES)) {
            MemorySegment buf = block.memory();
            for (int b0 = 0; b0 < g.batch(); b0 += chunk) {
                int nb = Math.min(chunk, g.batch() - b0);
                Sgemm.sgemm(false, true, nb * pixels, cols, filters, 1f, gy, (long) b0 * pixels * filters, filters,
                        kernel, 0, filters, 0f, buf, 0, cols, threads);
                int first = b0;
                threads.parallelFor(nb, i -> col2im(buf, (long) i * pixels * cols, g, first + i, gx));
            }
        }
    }

    /**
     * Image b with its padding as zeros, in float[]: rows [-padTop, (oh-1)·sh + kh - padTop) and
     * columns [-padLeft, (ow-1)·sw + kw - padLeft) of the input, {@link #paddedWidth} pixels a row.
     */
    static float[] paddedImage(MemorySegment x, Window2d g, int b) {
        int c = g.channels();
        int hp = (g.outHeight() - 1) * g.strideHeight() + g.windowHeight();
        int wp = paddedWidth(g);
        // the calling thread's reused array (a fresh one per image was most of a step's garbage);
        // past the image's own size its contents are whatever an earlier call left
        float[] img = Scratch.floats(Scratch.PADDED, hp * wp * c);
        int rows = Math.min(g.height(), hp - g.padTop());
        int cols = Math.min(g.width(), wp - g.padLeft());
        if (g.padTop() > 0 || g.padLeft() > 0 || rows < hp || cols < wp) {
            java.util.Arrays.fill(img, 0, hp * wp * c, 0f);
        }
        if (g.padTop() == 0 && g.padLeft() == 0 && cols == wp && cols == g.width()) {
            // whole rows, one after another in both: a single copy
            MemorySegment.copy(x, JAVA_FLOAT, (long) b * g.height() * g.width() * c * Float.BYTES, img, 0,
                    rows * wp * c);
            return img;
        }
        for (int y = 0; y < rows; y++) {
            long from = ((long) b * g.height() + y) * g.width() * c;
            MemorySegment.copy(x, JAVA_FLOAT, from * Float.BYTES, img, ((y + g.padTop()) * wp + g.padLeft()) * c,
                    cols * c);
        }
        return img;
    }

    static int paddedWidth(Window2d g) {
        return (g.outWidth() - 1) * g.strideWidth() + g.windowWidth();
    }

    /** Writes image b's column rows (one per output pixel) at {@code at}; padding reads as zero. */
    private static void im2col(MemorySegment x, Window2d g, int b, MemorySegment cols, long at) {
        int c = g.channels();
        int run = g.windowWidth() * c; // one kernel row: kw pixels × c channels, contiguous in NHWC
        int wp = paddedWidth(g);
        float[] img = paddedImage(x, g, b);
        float[] out = new float[g.outHeight() * g.outWidth() * columns(g)];
        int o = 0;
        for (int oy = 0; oy < g.outHeight(); oy++) {
            for (int ox = 0; ox < g.outWidth(); ox++) {
                for (int ky = 0; ky < g.windowHeight(); ky++, o += run) {
                    System.arraycopy(img, ((oy * g.strideHeight() + ky) * wp + ox * g.strideWidth()) * c, out, o, run);
                }
            }
        }
        MemorySegment.copy(out, 0, cols, JAVA_FLOAT, at * Float.BYTES, out.length);
    }

    /**
     * Adds image b's column gradients back onto its input pixels (the transpose of im2col), which
     * start from zero. The image and each column row are staged in float[]: per-element segment
     * accesses cost several times the additions.
     */
    private static void col2im(MemorySegment cols, long at, Window2d g, int b, MemorySegment gx) {
        int c = g.channels();
        int run = columns(g);
        float[] img = new float[g.height() * g.width() * c];
        float[] row = new float[run];
        long o = at;
        for (int oy = 0; oy < g.outHeight(); oy++) {
            for (int ox = 0; ox < g.outWidth(); ox++, o += run) {
                MemorySegment.copy(cols, JAVA_FLOAT, o * Float.BYTES, row, 0, run);
                int q = 0;
                for (int ky = 0; ky < g.windowHeight(); ky++) {
                    int iy = oy * g.strideHeight() - g.padTop() + ky;
                    for (int kx = 0; kx < g.windowWidth(); kx++, q += c) {
                        int ix = ox * g.strideWidth() - g.padLeft() + kx;
                        if (iy < 0 || iy >= g.height() || ix < 0 || ix >= g.width()) {
                            continue;
                        }
                        int dst = (iy * g.width() + ix) * c;
                        for (int ch = 0; ch < c; ch++) {
                            img[dst + ch] += row[q + ch];
                        }
                    }
                }
            }
        }
        MemorySegment.copy(img, 0, gx, JAVA_FLOAT, (long) b * img.length * Float.BYTES, img.length);
    }

    // Pooling works on one image at a time copied into float[] scratch: the JIT compiles plain array
    // loops far better than per-element segment accesses, and an image is only h·w·c floats.

    static void maxPool(MemorySegment x, Window2d g, MemorySegment out, CpuThreads threads) {
        int c = g.channels();
        int inSize = g.height() * g.width() * c;
        int outSize = g.outHeight() * g.outWidth() * c;
        threads.parallelFor(g.batch(), b -> {
            float[] in = Scratch.floats(Scratch.POOL_IN, inSize);
            float[] res = Scratch.floats(Scratch.POOL_OUT, outSize);
            MemorySegment.copy(x, JAVA_FLOAT, (long) b * inSize * Float.BYTES, in, 0, inSize);
            if (VECTOR) {
                VectorPooling.forward(in, g, res);
            } else {
                int[] where = new int[c];
                int[] rank = new int[c];
                for (int oy = 0, o = 0; oy < g.outHeight(); oy++) {
                    for (int ox = 0; ox < g.outWidth(); ox++, o += c) {
                        winners(in, g, oy, ox, where, rank);
                        for (int ch = 0; ch < c; ch++) {
                            res[o + ch] = in[where[ch]];
                        }
                    }
                }
            }
            MemorySegment.copy(res, 0, out, JAVA_FLOAT, (long) b * outSize * Float.BYTES, outSize);
        });
    }

    static void maxPoolBackward(MemorySegment x, MemorySegment gy, Window2d g, MemorySegment gx, CpuThreads threads) {
        int c = g.channels();
        int inSize = g.height() * g.width() * c;
        int outSize = g.outHeight() * g.outWidth() * c;
        threads.parallelFor(g.batch(), b -> {
            float[] in = Scratch.floats(Scratch.POOL_IN, inSize);
            float[] grad = Scratch.floats(Scratch.POOL_GRAD, outSize);
            float[] res = Scratch.floats(Scratch.POOL_OUT, inSize);
            java.util.Arrays.fill(res, 0, inSize, 0f);
            MemorySegment.copy(x, JAVA_FLOAT, (long) b * inSize * Float.BYTES, in, 0, inSize);
            MemorySegment.copy(gy, JAVA_FLOAT, (long) b * outSize * Float.BYTES, grad, 0, outSize);
            if (VECTOR) {
                VectorPooling.backward(in, grad, g, res);
            } else {
                int[] where = new int[c];
                int[] rank = new int[c];
                for (int oy = 0, o = 0; oy < g.outHeight(); oy++) {
                    for (int ox = 0; ox < g.outWidth(); ox++, o += c) {
                        winners(in, g, oy, ox, where, rank);
                        for (int ch = 0; ch < c; ch++) {
                            res[where[ch]] += grad[o + ch];
                        }
                    }
                }
            }
            MemorySegment.copy(res, 0, gx, JAVA_FLOAT, (long) b * inSize * Float.BYTES, inSize);
        });
    }

    /**
     * For each channel, the index in {@code in} (one image, HWC; {@code where}) of the largest value
     * in the window of output pixel (oy, ox), with {@code rank} as scratch. Largest in the order of
     * {@link Math#max} (a NaN above everything, +0 above -0), and the first position holding it wins,
     * so ties, infinite ones included, and several NaNs all go to the first; the CUDA kernel decides
     * alike. A window always holds at least one real pixel, and padding never wins. The update is
     * branch-free: on real data "is this larger?" is a coin toss, and a mispredicted branch per
     * element cost 4× the whole loop.
     */
    private static void winners(float[] in, Window2d g, int oy, int ox, int[] where, int[] rank) {
        int c = g.channels();
        boolean first = true;
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
                int base = (iy * g.width() + ix) * c;
                if (first) {
                    for (int ch = 0; ch < c; ch++) {
                        where[ch] = base + ch;
                        rank[ch] = maxOrder(in[base + ch]);
                    }
                    first = false;
                    continue;
                }
                for (int ch = 0; ch < c; ch++) {
                    int r = maxOrder(in[base + ch]);
                    int larger = (int) (((long) rank[ch] - r) >> 63); // all ones when strictly larger
                    where[ch] = (where[ch] & ~larger) | ((base + ch) & larger);
                    rank[ch] = Math.max(rank[ch], r);
                }
            }
        }
    }

    /**
     * A float's place in {@link Math#max}'s order as an int that compares the same way: any NaN
     * (canonicalised) above +Inf, then the positive floats, +0 above -0, the negative floats.
     */
    private static int maxOrder(float v) {
        int bits = Float.floatToIntBits(v);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }
}
