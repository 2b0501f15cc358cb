package dev.isthmus.kernels;

import dev.isthmus.cuda.DeviceMemory;
import dev.isthmus.cuda.KernelArguments;

/**
 * Launchers for {@code index.cu}: permute, slices, gather/scatter of rows, pick, element type
 * conversions, NHWC pad/crop. Index tensors are int32 or int64 ({@code wideIndex}); the index
 * kernels record the first out-of-range index in an {@link #INDEX_ERROR_BYTES}-byte record
 * (op code, position, value, bound as four 64-bit words; op 0 means none) for the host to read.
 */
public final class IndexKernels {
    static final String[] ENTRIES = {"permute_f32", "copy_slice_f32", "copy_row_at_f32", "gather_rows_i32", "gather_rows_i64",
        "scatter_add_rows_i32", "scatter_add_rows_i64", "pick_i32", "pick_i64", "pick_backward_i32",
        "pick_backward_i64", "cast_i32_f32", "cast_i64_f32", "cast_f32_i32", "cast_f32_i64", "cast_i32_i64",
        "cast_i64_i32", "argmax_rows_f32", "pad_nhwc_f32", "crop_nhwc_f32"};

    /** Size of the device record of the first bad index. */
    public static final long INDEX_ERROR_BYTES = 32;

    /** The op codes of that record, by the operation that met the index. */
    public enum IndexOp {
        NONE, GATHER, SCATTER, PICK
    }

    /** Element types the conversions take, by their kernel name suffix. */
    public enum ElementType {
        F32, I32, I64
    }

    /** The conversion kernels' names, [from][to], made once (no strings per launch). */
    private static final String[][] CASTS = new String[ElementType.values().length][ElementType.values().length];

    static {
        for (ElementType from : ElementType.values()) {
            for (ElementType to : ElementType.values()) {
                CASTS[from.ordinal()][to.ordinal()] = "cast_" + from.name().toLowerCase(java.util.Locale.ROOT) + "_"
                        + to.name().toLowerCase(java.util.Locale.ROOT);
            }
        }
    }

    private final KernelLauncher kernels;
    private final KernelArguments args = new KernelArguments();

    public IndexKernels(KernelLauncher kernels) {
        this.kernels = kernels;
    }

    /** out = x with axes permuted: out.shape[i] = inShape[perm[i]]. */
    public synchronized void permute(DeviceMemory x, int[] inShape, int[] perm, DeviceMemory out) {
        int rank = inShape.length;
        long[] inStrides = new long[rank];
        long s = 1;
        for (int d = rank - 1; d >= 0; d--) {
            inStrides[d] = s;
            s *= inShape[d];
        }
        int[] outShape = new int[rank];
        long[] src = new long[rank];
        for (int i = 0; i < rank; i++) {
            outShape[i] = inShape[perm[i]];
            src[i] = inStrides[perm[i]];
        }
        args.reset().pointer(x).pointer(out).i64(s).i32(rank).i64Struct(Dims.of(outShape)).i64Struct(Dims.of(src));
        kernels.linear(KernelFamily.INDEX, "permute_f32", s, args);
    }

    public synchronized void copySlice(DeviceMemory src, DeviceMemory dst, long outer, long srcAxis, long dstAxis,
                                       long srcStart, long dstStart, long length, long inner) {
        args.reset().pointer(src).pointer(dst).i64(outer).i64(srcAxis).i64(dstAxis).i64(srcStart).i64(dstStart)
                .i64(length).i64(inner);
        kernels.linear(KernelFamily.INDEX, "copy_slice_f32", outer * length * inner, args);
    }

    /**
     * dst[row, :] = src, for {@code rows} rows of {@code rowWords} 32-bit words in dst and the row
     * read by the kernel from the int32 at {@code row} (a row outside [0, rows) writes nothing).
     */
    public synchronized void copyRowAt(DeviceMemory src, DeviceMemory dst, long rowWords, DeviceMemory row, long rows) {
        args.reset().pointer(src).pointer(dst).i64(rowWords).pointer(row).i64(rows);
        kernels.linear(KernelFamily.INDEX, "copy_row_at_f32", rowWords, args);
    }

    /**
     * out[i, :] = src[index[i], :] for rows of {@code rowWords} 32-bit words ({@code rows} rows in src);
     * an element type of 8 bytes counts two words per element.
     */
    public synchronized void gatherRows(DeviceMemory src, DeviceMemory index, boolean wideIndex, DeviceMemory out,
                                        long count, long rowWords, long rows, DeviceMemory error) {
        args.reset().pointer(src).pointer(index).pointer(out).i64(count).i64(rowWords).i64(rows).pointer(error);
        kernels.linear(KernelFamily.INDEX, wideIndex ? "gather_rows_i64" : "gather_rows_i32", count * rowWords, args);
    }

    public synchronized void scatterAddRows(DeviceMemory g, DeviceMemory index, boolean wideIndex, DeviceMemory out,
                                            long count, long row, long rows, DeviceMemory error) {
        args.reset().pointer(g).pointer(index).pointer(out).i64(count).i64(row).i64(rows).pointer(error);
        kernels.linear(KernelFamily.INDEX, wideIndex ? "scatter_add_rows_i64" : "scatter_add_rows_i32", count * row,
                args);
    }

    public synchronized void pick(DeviceMemory x, DeviceMemory labels, boolean wideIndex, DeviceMemory out, long n,
                                  long classes, DeviceMemory error) {
        args.reset().pointer(x).pointer(labels).pointer(out).i64(n).i64(classes).pointer(error);
        kernels.linear(KernelFamily.INDEX, wideIndex ? "pick_i64" : "pick_i32", n, args);
    }

    public synchronized void pickBackward(DeviceMemory g, DeviceMemory labels, boolean wideIndex, DeviceMemory gx,
                                          long n, long classes, DeviceMemory error) {
        args.reset().pointer(g).pointer(labels).pointer(gx).i64(n).i64(classes).pointer(error);
        kernels.linear(KernelFamily.INDEX, wideIndex ? "pick_backward_i64" : "pick_backward_i32", n, args);
    }

    /** out[r] (int32) = the first index of the largest value of row r of x [rows, cols]; NaN counts as largest. */
    public synchronized void argmaxRows(DeviceMemory x, DeviceMemory out, long rows, long cols) {
        args.reset().pointer(x).pointer(out).i64(rows).i64(cols);
        kernels.rows(KernelFamily.INDEX, "argmax_rows_f32", rows, cols, args);
    }

    /** dst = src converted elementwise from one element type to another (they differ). */
    public synchronized void cast(DeviceMemory src, ElementType from, DeviceMemory dst, ElementType to, long n) {
        if (from == to) {
            throw new IllegalArgumentException("cast from " + from + " to itself; copy instead");
        }
        args.reset().pointer(src).pointer(dst).i64(n);
        kernels.linear(KernelFamily.INDEX, CASTS[from.ordinal()][to.ordinal()], n, args);
    }

    /** dst [n, paddedH, paddedW, c] = src [n, h, w, c] placed at (top, left) in zeros. */
    public synchronized void padNhwc(DeviceMemory src, DeviceMemory dst, long n, int h, int w, int c, int top, int left,
                                     int paddedH, int paddedW) {
        args.reset().pointer(src).pointer(dst).i64(n).i32(h).i32(w).i32(c).i32(top).i32(left).i32(paddedH).i32(paddedW);
        kernels.linear(KernelFamily.INDEX, "pad_nhwc_f32", n * paddedH * paddedW * c, args);
    }

    /** dst [n, h, w, c] = src [n, paddedH, paddedW, c] from (top, left). */
    public synchronized void cropNhwc(DeviceMemory src, DeviceMemory dst, long n, int h, int w, int c, int top, int left,
                                      int paddedH, int paddedW) {
        args.reset().pointer(src).pointer(dst).i64(n).i32(h).i32(w).i32(c).i32(top).i32(left).i32(paddedH).i32(paddedW);
        kernels.linear(KernelFamily.INDEX, "crop_nhwc_f32", n * h * w * c, args);
    }
}
