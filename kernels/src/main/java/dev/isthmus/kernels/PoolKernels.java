package dev.isthmus.kernels;

import dev.isthmus.cuda.DeviceMemory;
import dev.isthmus.cuda.KernelArguments;

/** Launchers for {@code pool.cu}: NHWC max pooling and its gradient. */
public final class PoolKernels {
    static final String[] ENTRIES = {"maxpool_f32", "maxpool_backward_f32"};

    private final KernelLauncher kernels;
    private final KernelArguments args = new KernelArguments();

    public PoolKernels(KernelLauncher kernels) {
        this.kernels = kernels;
    }

    /**
     * The {@code struct Window} of pool.cu: n, h, w, c, window h and w, strides, top and left
     * padding, output h and w.
     */
    public record Window(int n, int h, int w, int c, int kh, int kw, int sh, int sw, int top, int left, int oh, int ow) {
        int[] fields() {
            return new int[] {n, h, w, c, kh, kw, sh, sw, top, left, oh, ow};
        }

        long outputs() {
            return (long) n * oh * ow * c;
        }
    }

    public synchronized void maxPool(DeviceMemory x, DeviceMemory out, Window g) {
        args.reset().pointer(x).pointer(out).i32Struct(g.fields());
        kernels.linear(KernelFamily.POOL, "maxpool_f32", g.outputs(), args);
    }

    /** gx must be zero on entry; each output's gradient is added at its window's winner. */
    public synchronized void maxPoolBackward(DeviceMemory x, DeviceMemory gy, DeviceMemory gx, Window g) {
        args.reset().pointer(x).pointer(gy).pointer(gx).i32Struct(g.fields());
        kernels.linear(KernelFamily.POOL, "maxpool_backward_f32", g.outputs(), args);
    }
}
