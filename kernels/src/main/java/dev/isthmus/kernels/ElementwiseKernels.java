package dev.isthmus.kernels;

import dev.isthmus.cuda.DeviceMemory;
import dev.isthmus.cuda.KernelArguments;

/** Launchers for {@code elementwise.cu}. Op codes are the positions in {@link Unary} and {@link Binary}. */
public final class ElementwiseKernels {
    /** The unary ops, in the order of the kernel's switch (and of dev.isthmus.nn.backend.UnaryOp). */
    public enum Unary { NEG, EXP, LOG, SQRT, ABS, RELU, SIGMOID, TANH, POW, LEAKY_RELU, CLAMP, AFFINE }

    /** The binary ops, in the order of the kernel's switch (and of dev.isthmus.nn.backend.BinaryOp). */
    public enum Binary { ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, EQUAL, GREATER }

    /** Distributions of {@code random_f32}, in the order of dev.isthmus.nn.backend.Backend.Distribution. */
    public enum Distribution { UNIFORM, NORMAL, TRUNCATED_NORMAL, BERNOULLI }

    static final String[] ENTRIES = {"unary_f32", "unary_backward_f32", "binary_same_f32", "binary_rows_f32",
        "binary_broadcast_f32", "fill_f32", "random_f32", "random_at_f32", "adam_f32", "adam_multi_f32", "adam_multi_at_f32"};

    /** Bytes of one {@code struct AdamTensor} row of the table {@link #adamAll} reads: four pointers and a count. */
    public static final int ADAM_TABLE_ROW_BYTES = 40;

    private final KernelLauncher kernels;
    private final KernelArguments args = new KernelArguments();

    public ElementwiseKernels(KernelLauncher kernels) {
        this.kernels = kernels;
    }

    public synchronized void unary(Unary op, DeviceMemory x, DeviceMemory out, long n, float p, float q) {
        args.reset().pointer(x).pointer(out).i64(n).i32(op.ordinal()).f32(p).f32(q);
        kernels.linear(KernelFamily.ELEMENTWISE, "unary_f32", n, args);
    }

    public synchronized void unaryBackward(Unary op, DeviceMemory x, DeviceMemory y, DeviceMemory gy, DeviceMemory gx,
                                           long n, float p, float q) {
        args.reset().pointer(x).pointer(y).pointer(gy).pointer(gx).i64(n).i32(op.ordinal()).f32(p).f32(q);
        kernels.linear(KernelFamily.ELEMENTWISE, "unary_backward_f32", n, args);
    }

    /** a, b and out have n elements each. */
    public synchronized void binarySame(Binary op, DeviceMemory a, DeviceMemory b, DeviceMemory out, long n) {
        args.reset().pointer(a).pointer(b).pointer(out).i64(n).i32(op.ordinal());
        kernels.linear(KernelFamily.ELEMENTWISE, "binary_same_f32", n, args);
    }

    /** b's {@code inner} elements repeat over a's leading axes. */
    public synchronized void binaryRows(Binary op, DeviceMemory a, DeviceMemory b, DeviceMemory out, long n, long inner) {
        args.reset().pointer(a).pointer(b).pointer(out).i64(n).i64(inner).i32(op.ordinal());
        kernels.linear(KernelFamily.ELEMENTWISE, "binary_rows_f32", n, args);
    }

    /** General broadcasting: strides (in elements) are 0 along the axes an operand is broadcast on. */
    public synchronized void binaryBroadcast(Binary op, DeviceMemory a, DeviceMemory b, DeviceMemory out, long n,
                                             int[] shape, long[] strideA, long[] strideB) {
        args.reset().pointer(a).pointer(b).pointer(out).i64(n).i32(op.ordinal()).i32(shape.length)
                .i64Struct(Dims.of(shape)).i64Struct(Dims.of(strideA)).i64Struct(Dims.of(strideB));
        kernels.linear(KernelFamily.ELEMENTWISE, "binary_broadcast_f32", n, args);
    }

    public synchronized void fill(DeviceMemory out, long n, float value) {
        args.reset().pointer(out).i64(n).f32(value);
        kernels.linear(KernelFamily.ELEMENTWISE, "fill_f32", n, args);
    }

    public synchronized void random(DeviceMemory out, long n, Distribution d, float a, float b, long seed) {
        args.reset().pointer(out).i64(n).i32(d.ordinal()).f32(a).f32(b).i64(seed);
        kernels.linear(KernelFamily.ELEMENTWISE, "random_f32", n, args);
    }

    /**
     * As {@link #random}, with the seed read by the kernel from the 8 bytes at {@code seed}: a
     * captured graph replays with the seed written there before its launch.
     */
    public synchronized void randomAt(DeviceMemory out, long n, Distribution d, float a, float b, DeviceMemory seed) {
        args.reset().pointer(out).i64(n).i32(d.ordinal()).f32(a).f32(b).pointer(seed);
        kernels.linear(KernelFamily.ELEMENTWISE, "random_at_f32", n, args);
    }

    /** One Adam step; {@code alpha} is the bias-corrected learning rate. */
    public synchronized void adam(DeviceMemory param, DeviceMemory grad, DeviceMemory m, DeviceMemory v, long n,
                                  float alpha, float beta1, float beta2, float epsilon) {
        args.reset().pointer(param).pointer(grad).pointer(m).pointer(v).i64(n).f32(alpha).f32(beta1).f32(beta2)
                .f32(epsilon);
        kernels.linear(KernelFamily.ELEMENTWISE, "adam_f32", n, args);
    }

    /**
     * One Adam step over {@code tensors} parameters in one launch; {@code table} holds one
     * {@link #ADAM_TABLE_ROW_BYTES}-byte row (param, grad, m, v pointers, element count) per tensor.
     */
    public synchronized void adamAll(DeviceMemory table, int tensors, long longest, float alpha, float beta1,
                                     float beta2, float epsilon) {
        if ((long) tensors * ADAM_TABLE_ROW_BYTES > table.byteSize()) {
            throw new IllegalArgumentException("Adam table of " + table.byteSize() + " bytes holds fewer than "
                    + tensors + " rows");
        }
        args.reset().pointer(table).f32(alpha).f32(beta1).f32(beta2).f32(epsilon);
        kernels.grouped(KernelFamily.ELEMENTWISE, "adam_multi_f32", tensors, longest, args);
    }

    /** As {@link #adamAll}, with alpha read by the kernel from the float at {@code alpha}. */
    public synchronized void adamAllAt(DeviceMemory table, int tensors, long longest, DeviceMemory alpha, float beta1,
                                       float beta2, float epsilon) {
        if ((long) tensors * ADAM_TABLE_ROW_BYTES > table.byteSize()) {
            throw new IllegalArgumentException("Adam table of " + table.byteSize() + " bytes holds fewer than "
                    + tensors + " rows");
        }
        args.reset().pointer(table).pointer(alpha).f32(beta1).f32(beta2).f32(epsilon);
        kernels.grouped(KernelFamily.ELEMENTWISE, "adam_multi_at_f32", tensors, longest, args);
    }
}
