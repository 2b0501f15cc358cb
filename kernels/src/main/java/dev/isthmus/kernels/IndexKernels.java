package dev.isthmus.kernels;

import dev.isthmus.cuda.DeviceMemory;
import dev.isthmus.cuda.KernelArguments;

/** Launchers for {@code index.cu}: permute, slices, gather/scatter of rows, pick, NHWC pad/crop. */
public final class IndexKernels {
    static final String[] ENTRIES = {"permute_f32", "copy_slice_f32", "gather_rows_f32", "scatter_add_rows_f32",
        "pick_f32", "pick_backward_f32", "pad_nhwc_f32", "crop_nhwc_f32"};

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

    public synchronized void gatherRows(DeviceMemory src, DeviceMemory index, DeviceMemory out, long count, long row) {
        args.reset().pointer(src).pointer(index).pointer(out).i64(count).i64(row);
        kernels.linear(KernelFamily.INDEX, "gather_rows_f32", count * row, args);
    }

    public synchronized void scatterAddRows(DeviceMemory g, DeviceMemory index, DeviceMemory out, long count, long row) {
        args.reset().pointer(g).pointer(index).pointer(out).i64(count).i64(row);
        kernels.linear(KernelFamily.INDEX, "scatter_add_rows_f32", count * row, args);
    }

    public synchronized void pick(DeviceMemory x, DeviceMemory labels, DeviceMemory out, long n, long classes) {
        args.reset().pointer(x).pointer(labels).pointer(out).i64(n).i64(classes);
        kernels.linear(KernelFamily.INDEX, "pick_f32", n, args);
    }

    public synchronized void pickBackward(DeviceMemory g, DeviceMemory labels, DeviceMemory gx, long n, long classes) {
        args.reset().pointer(g).pointer(labels).pointer(gx).i64(n).i64(classes);
        kernels.linear(KernelFamily.INDEX, "pick_backward_f32", n, args);
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
