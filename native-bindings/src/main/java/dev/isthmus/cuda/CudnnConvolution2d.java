package dev.isthmus.cuda;

import dev.isthmus.cuda.cudnn.Cudnn;
import dev.isthmus.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One fp32 2-D convolution shape in cuDNN: input {@code [n, h, w, c]} (NHWC, as Isthmus stores
 * images), filter {@code [k, r, s, c]} (cuDNN's NHWC filter layout: output channel, kernel row,
 * kernel column, input channel), output {@code [n, p, q, k]}. The algorithm for each direction
 * is found once ({@code cudnnFind...}, fastest that succeeds) when first used, with its workspace
 * size; callers pass a workspace at least {@link #workspaceBytes()} large.
 */
public final class CudnnConvolution2d implements AutoCloseable {
    private static final int ALGORITHMS_ASKED = 8;

    private final CudnnHandle cudnn;
    // Shared, not confined: the backend may be driven from any thread (calls are serialised by its locks).
    private final Arena arena = Arena.ofShared();
    private final MemorySegment x;
    private final MemorySegment w;
    private final MemorySegment y;
    private final MemorySegment conv;
    private final int[] outputShape;
    private final MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
    private final MemorySegment zero = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0f);
    private int forwardAlgorithm = -1;
    private int backwardDataAlgorithm = -1;
    private int backwardFilterAlgorithm = -1;
    private long workspaceBytes;
    private boolean closed;

    public CudnnConvolution2d(CudnnHandle cudnn, int n, int h, int w, int c, int k, int r, int s,
                              int padH, int padW, int strideH, int strideW) {
        this.cudnn = cudnn;
        cudnn.stream().context().bind();
        try {
            this.x = tensor(n, c, h, w);
            this.w = filter(k, c, r, s);
            this.conv = create("cudnnCreateConvolutionDescriptor", Cudnn::cudnnCreateConvolutionDescriptor);
            CudaStatus.cudnn(Cudnn.cudnnSetConvolution2dDescriptor(conv, padH, padW, strideH, strideW, 1, 1,
                    Cudnn.CUDNN_CROSS_CORRELATION(), Cudnn.CUDNN_DATA_FLOAT()), "cudnnSetConvolution2dDescriptor");
            CudaStatus.cudnn(Cudnn.cudnnSetConvolutionMathType(conv, Cudnn.CUDNN_FMA_MATH()), "cudnnSetConvolutionMathType");
            MemorySegment dims = arena.allocate(ValueLayout.JAVA_INT, 4);
            CudaStatus.cudnn(Cudnn.cudnnGetConvolution2dForwardOutputDim(conv, x, this.w, dims, dims.asSlice(4),
                    dims.asSlice(8), dims.asSlice(12)), "cudnnGetConvolution2dForwardOutputDim");
            int[] nchw = dims.toArray(ValueLayout.JAVA_INT);
            this.outputShape = new int[] {nchw[0], nchw[2], nchw[3], nchw[1]};
            this.y = tensor(nchw[0], nchw[1], nchw[2], nchw[3]);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** {@code [n, p, q, k]}. */
    public int[] outputShape() {
        return outputShape.clone();
    }

    /** The largest workspace any algorithm chosen so far needs. */
    public long workspaceBytes() {
        return workspaceBytes;
    }

    /** Chooses all three algorithms now (each runs once on scratch memory cuDNN allocates itself). */
    public long prepare() {
        forwardAlgorithm();
        backwardDataAlgorithm();
        backwardFilterAlgorithm();
        return workspaceBytes;
    }

    /** {@code output = conv(input, filter)}. */
    public void forward(DeviceBuffer input, DeviceBuffer filter, DeviceBuffer output, DeviceBuffer workspace) {
        int algo = forwardAlgorithm();
        CudaStatus.cudnn(Cudnn.cudnnConvolutionForward(cudnn.handle(), one, x, ptr(input), w, ptr(filter), conv, algo,
                ptr(workspace), size(workspace), zero, y, ptr(output)), "cudnnConvolutionForward");
    }

    /** {@code inputGradient (+)= conv^T(outputGradient, filter)}; accumulates when {@code accumulate}. */
    public void backwardData(DeviceBuffer filter, DeviceBuffer outputGradient, DeviceBuffer inputGradient,
                             boolean accumulate, DeviceBuffer workspace) {
        int algo = backwardDataAlgorithm();
        CudaStatus.cudnn(Cudnn.cudnnConvolutionBackwardData(cudnn.handle(), one, w, ptr(filter), y, ptr(outputGradient),
                conv, algo, ptr(workspace), size(workspace), accumulate ? one : zero, x, ptr(inputGradient)),
                "cudnnConvolutionBackwardData");
    }

    /** {@code filterGradient (+)= correlation of input with outputGradient}. */
    public void backwardFilter(DeviceBuffer input, DeviceBuffer outputGradient, DeviceBuffer filterGradient,
                               boolean accumulate, DeviceBuffer workspace) {
        int algo = backwardFilterAlgorithm();
        CudaStatus.cudnn(Cudnn.cudnnConvolutionBackwardFilter(cudnn.handle(), one, x, ptr(input), y, ptr(outputGradient),
                conv, algo, ptr(workspace), size(workspace), accumulate ? one : zero, w, ptr(filterGradient)),
                "cudnnConvolutionBackwardFilter");
    }

    private int forwardAlgorithm() {
        if (forwardAlgorithm < 0) {
            forwardAlgorithm = fastest("forward", "cudnnFindConvolutionForwardAlgorithm", (requested, count, perf) ->
                    Cudnn.cudnnFindConvolutionForwardAlgorithm(cudnn.handle(), x, w, conv, y, requested, count, perf));
        }
        return forwardAlgorithm;
    }

    private int backwardDataAlgorithm() {
        if (backwardDataAlgorithm < 0) {
            backwardDataAlgorithm = fastest("backward data", "cudnnFindConvolutionBackwardDataAlgorithm",
                    (requested, count, perf) -> Cudnn.cudnnFindConvolutionBackwardDataAlgorithm(cudnn.handle(), w, y, conv,
                            x, requested, count, perf));
        }
        return backwardDataAlgorithm;
    }

    private int backwardFilterAlgorithm() {
        if (backwardFilterAlgorithm < 0) {
            backwardFilterAlgorithm = fastest("backward filter", "cudnnFindConvolutionBackwardFilterAlgorithm",
                    (requested, count, perf) -> Cudnn.cudnnFindConvolutionBackwardFilterAlgorithm(cudnn.handle(), x, y,
                            conv, w, requested, count, perf));
        }
        return backwardFilterAlgorithm;
    }

    /** One of the cudnnFind*Algorithm calls: up to {@code requested} results, fastest first, into {@code perf}. */
    private interface Finder {
        int find(int requested, MemorySegment count, MemorySegment perf);
    }

    /**
     * Runs a cudnnFind call and returns the fastest algorithm that succeeded, growing the workspace
     * to what it needs. The forward, backward-data and backward-filter perf structs share one
     * layout (GeneratedBindingsTest pins it), so the forward one reads all three.
     */
    private int fastest(String direction, String call, Finder finder) {
        cudnn.stream().context().bind();
        MemorySegment perf = cudnnConvolutionFwdAlgoPerf_t.allocateArray(ALGORITHMS_ASKED, arena);
        MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
        CudaStatus.cudnn(finder.find(ALGORITHMS_ASKED, count, perf), call);
        for (int i = 0; i < count.get(ValueLayout.JAVA_INT, 0); i++) {
            MemorySegment p = cudnnConvolutionFwdAlgoPerf_t.asSlice(perf, i);
            if (cudnnConvolutionFwdAlgoPerf_t.status(p) == Cudnn.CUDNN_STATUS_SUCCESS()) {
                workspaceBytes = Math.max(workspaceBytes, cudnnConvolutionFwdAlgoPerf_t.memory(p));
                return cudnnConvolutionFwdAlgoPerf_t.algo(p);
            }
        }
        throw new IllegalStateException("cuDNN offers no working " + direction + " algorithm for output "
                + java.util.Arrays.toString(outputShape));
    }

    private MemorySegment create(String call, CudnnDescriptors.Creator creator) {
        return CudnnDescriptors.create(arena, call, creator);
    }

    private MemorySegment tensor(int n, int c, int h, int w) {
        MemorySegment d = create("cudnnCreateTensorDescriptor", Cudnn::cudnnCreateTensorDescriptor);
        CudaStatus.cudnn(Cudnn.cudnnSetTensor4dDescriptor(d, Cudnn.CUDNN_TENSOR_NHWC(), Cudnn.CUDNN_DATA_FLOAT(), n, c, h, w),
                "cudnnSetTensor4dDescriptor(" + n + ", " + c + ", " + h + ", " + w + ")");
        return d;
    }

    private MemorySegment filter(int k, int c, int r, int s) {
        MemorySegment d = create("cudnnCreateFilterDescriptor", Cudnn::cudnnCreateFilterDescriptor);
        CudaStatus.cudnn(Cudnn.cudnnSetFilter4dDescriptor(d, Cudnn.CUDNN_DATA_FLOAT(), Cudnn.CUDNN_TENSOR_NHWC(), k, c, r, s),
                "cudnnSetFilter4dDescriptor(" + k + ", " + c + ", " + r + ", " + s + ")");
        return d;
    }

    private static MemorySegment ptr(DeviceBuffer buffer) {
        return buffer == null ? MemorySegment.NULL : MemorySegment.ofAddress(buffer.pointer());
    }

    private static long size(DeviceBuffer buffer) {
        return buffer == null ? 0 : buffer.byteSize();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cudnn.stream().context().bind();
            try {
                CudaStatus.cudnn(Cudnn.cudnnDestroyTensorDescriptor(x), "cudnnDestroyTensorDescriptor");
                CudaStatus.cudnn(Cudnn.cudnnDestroyTensorDescriptor(y), "cudnnDestroyTensorDescriptor");
                CudaStatus.cudnn(Cudnn.cudnnDestroyFilterDescriptor(w), "cudnnDestroyFilterDescriptor");
                CudaStatus.cudnn(Cudnn.cudnnDestroyConvolutionDescriptor(conv), "cudnnDestroyConvolutionDescriptor");
            } finally {
                arena.close();
            }
        }
    }
}
