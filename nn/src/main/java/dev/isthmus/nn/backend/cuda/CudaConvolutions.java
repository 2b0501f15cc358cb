package dev.isthmus.nn.backend.cuda;

import dev.isthmus.cuda.CudnnConvolution2d;
import dev.isthmus.cuda.CudnnHandle;
import dev.isthmus.cuda.DeviceBuffer;
import dev.isthmus.cuda.Precision;
import dev.isthmus.kernels.IndexKernels;
import dev.isthmus.nn.backend.BackendUnavailableException;
import dev.isthmus.nn.backend.Window2d;

/**
 * Conv2D through cuDNN, channels-last. Keras keeps kernels as [kh, kw, c, f]; cuDNN's NHWC
 * filter is [f, kh, kw, c], so each call permutes the kernel (small next to the images) and the
 * filter gradient back. cuDNN pads symmetrically; TensorFlow's "same" padding puts the odd pixel
 * at the bottom/right, and those shapes get an explicitly zero-padded copy of the input instead.
 * One cuDNN plan (descriptors + the fastest algorithms the backend's {@link Precision} allows,
 * found once) is kept per shape and precision, for the {@value #PLANS} shapes used last.
 */
final class CudaConvolutions {
    private static final int[] HWIO_TO_OHWI = {3, 0, 1, 2};
    private static final int[] OHWI_TO_HWIO = {1, 2, 3, 0};
    private static final int PLANS = 64;

    private final CudaBackend backend;
    private final CudnnHandle cudnn;
    private final IndexKernels index;
    private final PlanCache<Key, Plan> plans = new PlanCache<>(PLANS, p -> p.conv.close());
    private DeviceBuffer workspace;

    private record Key(Window2d window, int filters, Precision precision) {
    }

    /** A cuDNN convolution for one shape and whether its input must be padded explicitly. */
    private record Plan(CudnnConvolution2d conv, boolean explicitPadding, int paddedHeight, int paddedWidth) {
    }

    CudaConvolutions(CudaBackend backend, CudnnHandle cudnn, IndexKernels index) {
        this.backend = backend;
        this.cudnn = cudnn;
        this.index = index;
    }

    boolean hasCudnn() {
        return cudnn != null;
    }

    synchronized void forward(DeviceBuffer x, DeviceBuffer kernel, int filters, Window2d g, DeviceBuffer out) {
        Plan p = plan(g, filters);
        try (DeviceBuffer ohwi = permutedKernel(kernel, g, filters)) {
            if (p.explicitPadding) {
                try (DeviceBuffer padded = padded(x, g, p)) {
                    p.conv.forward(padded, ohwi, out, workspace(p));
                }
            } else {
                p.conv.forward(x, ohwi, out, workspace(p));
            }
        }
    }

    synchronized void backwardData(DeviceBuffer gy, DeviceBuffer kernel, int filters, Window2d g, DeviceBuffer gx) {
        Plan p = plan(g, filters);
        try (DeviceBuffer ohwi = permutedKernel(kernel, g, filters)) {
            if (p.explicitPadding) {
                try (DeviceBuffer paddedGx = backend.scratch(4L * g.batch() * p.paddedHeight * p.paddedWidth * g.channels())) {
                    p.conv.backwardData(ohwi, gy, paddedGx, false, workspace(p));
                    index.cropNhwc(paddedGx, gx, g.batch(), g.height(), g.width(), g.channels(), g.padTop(),
                            g.padLeft(), p.paddedHeight, p.paddedWidth);
                }
            } else {
                p.conv.backwardData(ohwi, gy, gx, false, workspace(p));
            }
        }
    }

    synchronized void backwardFilter(DeviceBuffer x, DeviceBuffer gy, int filters, Window2d g, DeviceBuffer gk) {
        Plan p = plan(g, filters);
        int[] ohwiShape = {filters, g.windowHeight(), g.windowWidth(), g.channels()};
        try (DeviceBuffer gOhwi = backend.scratch(gk.byteSize())) {
            if (p.explicitPadding) {
                try (DeviceBuffer padded = padded(x, g, p)) {
                    p.conv.backwardFilter(padded, gy, gOhwi, false, workspace(p));
                }
            } else {
                p.conv.backwardFilter(x, gy, gOhwi, false, workspace(p));
            }
            index.permute(gOhwi, ohwiShape, OHWI_TO_HWIO, gk);
        }
    }

    private DeviceBuffer permutedKernel(DeviceBuffer kernel, Window2d g, int filters) {
        DeviceBuffer ohwi = backend.scratch(kernel.byteSize());
        index.permute(kernel, new int[] {g.windowHeight(), g.windowWidth(), g.channels(), filters}, HWIO_TO_OHWI, ohwi);
        return ohwi;
    }

    private DeviceBuffer padded(DeviceBuffer x, Window2d g, Plan p) {
        DeviceBuffer padded = backend.scratch(4L * g.batch() * p.paddedHeight * p.paddedWidth * g.channels());
        index.padNhwc(x, padded, g.batch(), g.height(), g.width(), g.channels(), g.padTop(), g.padLeft(),
                p.paddedHeight, p.paddedWidth);
        return padded;
    }

    private DeviceBuffer workspace(Plan p) {
        long bytes = p.conv.workspaceBytes();
        if (bytes == 0) {
            return null;
        }
        if (workspace == null || workspace.byteSize() < bytes) {
            if (workspace != null) {
                backend.retire(workspace);
            }
            workspace = backend.scratch(bytes);
        }
        return workspace;
    }

    private Plan plan(Window2d g, int filters) {
        if (cudnn == null) {
            throw new BackendUnavailableException("Conv2D on CUDA needs cuDNN 9, which did not load: "
                    + dev.isthmus.cuda.CudaLibraries.system().status(dev.isthmus.cuda.CudaLibrary.CUDNN).describe());
        }
        return plans.get(new Key(g, filters, backend.precision()), k -> {
            int padBottom = Math.max(0, (g.outHeight() - 1) * g.strideHeight() + g.windowHeight() - g.height() - g.padTop());
            int padRight = Math.max(0, (g.outWidth() - 1) * g.strideWidth() + g.windowWidth() - g.width() - g.padLeft());
            boolean explicit = padBottom != g.padTop() || padRight != g.padLeft();
            int ph = explicit ? g.height() + g.padTop() + padBottom : g.height();
            int pw = explicit ? g.width() + g.padLeft() + padRight : g.width();
            CudnnConvolution2d conv = new CudnnConvolution2d(cudnn, k.precision(), g.batch(), ph, pw, g.channels(),
                    filters, g.windowHeight(), g.windowWidth(), explicit ? 0 : g.padTop(), explicit ? 0 : g.padLeft(),
                    g.strideHeight(), g.strideWidth());
            int[] shape = conv.outputShape();
            if (shape[1] != g.outHeight() || shape[2] != g.outWidth()) {
                conv.close();
                throw new IllegalStateException("cuDNN computes a " + shape[1] + "x" + shape[2] + " output for " + g
                        + " but the layer expects " + g.outHeight() + "x" + g.outWidth());
            }
            try {
                conv.prepare(backend::scratch);
            } catch (RuntimeException e) {
                conv.close();
                throw e;
            }
            return new Plan(conv, explicit, ph, pw);
        });
    }
}
