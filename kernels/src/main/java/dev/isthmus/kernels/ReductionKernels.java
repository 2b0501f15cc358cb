package dev.isthmus.kernels;

import dev.isthmus.cuda.DeviceMemory;
import dev.isthmus.cuda.KernelArguments;

/** Launchers for {@code reduce.cu} and {@code softmax.cu}. */
public final class ReductionKernels {
    /** Reduction ops, in the order of the kernel (and of dev.isthmus.nn.backend.ReduceOp). */
    public enum Reduce { SUM, MEAN, MAX }

    static final String[] REDUCE_ENTRIES = {"reduce_f32", "reduce_partial_f32", "reduce_finish_f32", "column_sum_f32",
            "column_partial_f32", "column_finish_f32"};
    static final String[] SOFTMAX_ENTRIES = {"softmax_f32", "softmax_backward_f32"};

    private final KernelLauncher kernels;
    private final ScratchSpace scratch;
    private final KernelArguments args = new KernelArguments();

    /** {@code scratch} holds the partials of two-pass reductions (see {@link ReductionSplit}). */
    public ReductionKernels(KernelLauncher kernels, ScratchSpace scratch) {
        this.kernels = kernels;
        this.scratch = scratch;
    }

    /**
     * Reduces x of {@code shape} over {@code axes} (sorted, distinct) into out, which has one
     * element per combination of the kept axes, in order. Sums and means over leading axes (bias
     * gradients) take the column kernels, whose reads are coalesced; everything else the general
     * ones. Either runs in two passes when one block or thread per output would leave the device
     * idle (one output of a million elements, 32 bias columns over 43,264 rows).
     */
    public synchronized void reduce(Reduce op, DeviceMemory x, int[] shape, int[] axes, DeviceMemory out) {
        int rank = shape.length;
        if (op != Reduce.MAX && leading(axes) && axes.length < rank) {
            long rows = 1;
            for (int a : axes) {
                rows *= shape[a];
            }
            long cols = 1;
            for (int d = axes.length; d < rank; d++) {
                cols *= shape[d];
            }
            columnSum(x, rows, cols, op == Reduce.MEAN ? (float) (1.0 / rows) : 1f, out);
            return;
        }
        long[] strides = new long[rank];
        long s = 1;
        for (int d = rank - 1; d >= 0; d--) {
            strides[d] = s;
            s *= shape[d];
        }
        boolean[] reduced = new boolean[rank];
        for (int a : axes) {
            reduced[a] = true;
        }
        int kept = rank - axes.length;
        int[] keptShape = new int[kept];
        long[] keptStrides = new long[kept];
        int[] redShape = new int[axes.length];
        long[] redStrides = new long[axes.length];
        long outCount = 1;
        long redCount = 1;
        for (int d = 0, k = 0, r = 0; d < rank; d++) {
            if (reduced[d]) {
                redShape[r] = shape[d];
                redStrides[r++] = strides[d];
                redCount *= shape[d];
            } else {
                keptShape[k] = shape[d];
                keptStrides[k++] = strides[d];
                outCount *= shape[d];
            }
        }
        float scale = op == Reduce.MEAN ? (float) (1.0 / redCount) : 1f;
        ReductionSplit split = ReductionSplit.general(outCount, redCount);
        if (!split.twoPass()) {
            args.reset().pointer(x).pointer(out).i64(outCount).i64(redCount).i32(op.ordinal()).f32(scale)
                    .i32(kept).i64Struct(Dims.of(keptShape)).i64Struct(Dims.of(keptStrides))
                    .i32(axes.length).i64Struct(Dims.of(redShape)).i64Struct(Dims.of(redStrides));
            kernels.rows(KernelFamily.REDUCE, "reduce_f32", outCount, redCount, args);
            return;
        }
        DeviceMemory partial = scratch.atLeast(split.scratchBytes(outCount));
        args.reset().pointer(x).pointer(partial).i64(outCount).i64(redCount).i64(split.chunks())
                .i64(split.chunkLength()).i32(op.ordinal())
                .i32(kept).i64Struct(Dims.of(keptShape)).i64Struct(Dims.of(keptStrides))
                .i32(axes.length).i64Struct(Dims.of(redShape)).i64Struct(Dims.of(redStrides));
        kernels.rows(KernelFamily.REDUCE, "reduce_partial_f32", outCount * split.chunks(), split.chunkLength(), args);
        args.reset().pointer(partial).pointer(out).i64(outCount).i64(split.chunks()).i32(op.ordinal()).f32(scale);
        kernels.rows(KernelFamily.REDUCE, "reduce_finish_f32", outCount, split.chunks(), args);
    }

    private static boolean leading(int[] axes) {
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] != i) {
                return false;
            }
        }
        return axes.length > 0;
    }

    /** out[j] = Σ_r x[r, j] for a row-major [rows, cols] x. */
    public void columnSum(DeviceMemory x, long rows, long cols, DeviceMemory out) {
        columnSum(x, rows, cols, 1f, out);
    }

    private synchronized void columnSum(DeviceMemory x, long rows, long cols, float scale, DeviceMemory out) {
        ReductionSplit split = ReductionSplit.columns(rows, cols);
        if (!split.twoPass()) {
            args.reset().pointer(x).pointer(out).i64(rows).i64(cols).f32(scale);
            kernels.linear(KernelFamily.REDUCE, "column_sum_f32", cols, args);
            return;
        }
        DeviceMemory partial = scratch.atLeast(split.scratchBytes(cols));
        args.reset().pointer(x).pointer(partial).i64(rows).i64(cols).i64(split.chunks()).i64(split.chunkLength());
        kernels.linear(KernelFamily.REDUCE, "column_partial_f32", split.chunks() * cols, args);
        args.reset().pointer(partial).pointer(out).i64(split.chunks()).i64(cols).f32(scale);
        kernels.linear(KernelFamily.REDUCE, "column_finish_f32", cols, args);
    }

    public synchronized void softmax(DeviceMemory x, DeviceMemory out, long rows, int cols, boolean log) {
        args.reset().pointer(x).pointer(out).i64(rows).i32(cols).i32(log ? 1 : 0);
        kernels.rows(KernelFamily.SOFTMAX, "softmax_f32", rows, cols, args);
    }

    public synchronized void softmaxBackward(DeviceMemory y, DeviceMemory gy, DeviceMemory gx, long rows, int cols,
                                             boolean log) {
        args.reset().pointer(y).pointer(gy).pointer(gx).i64(rows).i32(cols).i32(log ? 1 : 0);
        kernels.rows(KernelFamily.SOFTMAX, "softmax_backward_f32", rows, cols, args);
    }
}
