package dev.isthmus.cuda;

import dev.isthmus.cuda.cudnn.Cudnn;
import dev.isthmus.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One fp32 2-D convolution shape in cuDNN: input {@code [n, h, w, c]} (NHWC, as Isthmus stores
 * images), filter {@code [k, r, s, c]} (cuDNN's NHWC filter layout: output channel, kernel row,
 * kernel column, input channel), output {@code [n, p, q, k]}. {@link #prepare} finds the
 * algorithm for each direction once ({@code cudnnFind...Ex} on buffers and a workspace from
 * the caller's pool, so cuDNN allocates nothing of its own) under one {@link Precision}, and
 * keeps each algorithm with the math type it was measured with; callers then pass a workspace
 * at least {@link #workspaceBytes()} large.
 */
public final class CudnnConvolution2d implements AutoCloseable {
    /** Twice the algorithm count: cuDNN may report an algorithm once per math type. */
    private static final int ALGORITHMS_ASKED = 16;
    /** The most workspace an algorithm search offers cuDNN (an algorithm needing more is skipped). */
    private static final long SEARCH_WORKSPACE_LIMIT = 256L << 20;

    private final CudnnHandle cudnn;
    private final Precision precision;
    // Shared, not confined: the backend may be driven from any thread (calls are serialised by its locks).
    private final Arena arena = Arena.ofShared();
    private final MemorySegment x;
    private final MemorySegment w;
    private final MemorySegment y;
    private final MemorySegment conv;
    private final long inputBytes;
    private final long filterBytes;
    private final long outputBytes;
    private final int[] outputShape;
    private final MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
    private final MemorySegment zero = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0f);
    private CudnnAlgorithmChoice.Result forwardAlgorithm;
    private CudnnAlgorithmChoice.Result backwardDataAlgorithm;
    private CudnnAlgorithmChoice.Result backwardFilterAlgorithm;
    private long workspaceBytes;
    private boolean closed;

    /** Device memory for the algorithm search: a scratch buffer of the given size from the caller's pool. */
    public interface Scratch {
        DeviceBuffer allocate(long bytes);
    }

    public CudnnConvolution2d(CudnnHandle cudnn, Precision precision, int n, int h, int w, int c, int k, int r, int s,
                              int padH, int padW, int strideH, int strideW) {
        this.cudnn = cudnn;
        this.precision = precision;
        cudnn.stream().context().bind();
        try {
            this.x = tensor(n, c, h, w);
            this.w = filter(k, c, r, s);
            this.conv = create("cudnnCreateConvolutionDescriptor", Cudnn::cudnnCreateConvolutionDescriptor);
            CudaStatus.cudnn(Cudnn.cudnnSetConvolution2dDescriptor(conv, padH, padW, strideH, strideW, 1, 1,
                    Cudnn.CUDNN_CROSS_CORRELATION(), Cudnn.CUDNN_DATA_FLOAT()), "cudnnSetConvolution2dDescriptor");
            mathType(precision.cudnnMathType());
            MemorySegment dims = arena.allocate(ValueLayout.JAVA_INT, 4);
            CudaStatus.cudnn(Cudnn.cudnnGetConvolution2dForwardOutputDim(conv, x, this.w, dims, dims.asSlice(4),
                    dims.asSlice(8), dims.asSlice(12)), "cudnnGetConvolution2dForwardOutputDim");
            int[] nchw = dims.toArray(ValueLayout.JAVA_INT);
            this.outputShape = new int[] {nchw[0], nchw[2], nchw[3], nchw[1]};
            this.y = tensor(nchw[0], nchw[1], nchw[2], nchw[3]);
            this.inputBytes = 4L * n * h * w * c;
            this.filterBytes = 4L * k * r * s * c;
            this.outputBytes = 4L * nchw[0] * nchw[1] * nchw[2] * nchw[3];
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** {@code [n, p, q, k]}. */
    public int[] outputShape() {
        return outputShape.clone();
    }

    /** The largest workspace the chosen algorithms need; known after {@link #prepare}. */
    public long workspaceBytes() {
        return workspaceBytes;
    }

    /**
     * The math types the forward, backward-data and backward-filter algorithms run with (cuDNN's
     * {@code cudnnMathType_t} values), so that tests can see that a precision took effect.
     */
    public int[] mathTypes() {
        requirePrepared();
        return new int[] {forwardAlgorithm.mathType(), backwardDataAlgorithm.mathType(),
            backwardFilterAlgorithm.mathType()};
    }

    /**
     * Chooses all three algorithms: each {@code cudnnFind...Ex} call runs the candidates on
     * scratch input, filter and output buffers (zeroed) with a search workspace, all from
     * {@code scratch} and freed before this returns. Returns {@link #workspaceBytes()}.
     */
    public long prepare(Scratch scratch) {
        cudnn.stream().context().bind();
        try (DeviceBuffer input = cleared(scratch, inputBytes);
             DeviceBuffer filter = cleared(scratch, filterBytes);
             DeviceBuffer output = cleared(scratch, outputBytes)) {
            forwardAlgorithm = search(scratch, "forward", "cudnnFindConvolutionForwardAlgorithmEx",
                    Cudnn.CUDNN_CONVOLUTION_FWD_ALGO_COUNT(), (algo, size) -> Cudnn.cudnnGetConvolutionForwardWorkspaceSize(
                            cudnn.handle(), x, w, conv, y, algo, size),
                    (count, perf, ws) -> Cudnn.cudnnFindConvolutionForwardAlgorithmEx(cudnn.handle(), x, ptr(input), w,
                            ptr(filter), conv, y, ptr(output), ALGORITHMS_ASKED, count, perf, ptr(ws), size(ws)));
            backwardDataAlgorithm = search(scratch, "backward data", "cudnnFindConvolutionBackwardDataAlgorithmEx",
                    Cudnn.CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT(), (algo, size) ->
                            Cudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(cudnn.handle(), w, y, conv, x, algo, size),
                    (count, perf, ws) -> Cudnn.cudnnFindConvolutionBackwardDataAlgorithmEx(cudnn.handle(), w,
                            ptr(filter), y, ptr(output), conv, x, ptr(input), ALGORITHMS_ASKED, count, perf, ptr(ws),
                            size(ws)));
            backwardFilterAlgorithm = search(scratch, "backward filter", "cudnnFindConvolutionBackwardFilterAlgorithmEx",
                    Cudnn.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT(), (algo, size) ->
                            Cudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnn.handle(), x, y, conv, w, algo, size),
                    (count, perf, ws) -> Cudnn.cudnnFindConvolutionBackwardFilterAlgorithmEx(cudnn.handle(), x,
                            ptr(input), y, ptr(output), conv, w, ptr(filter), ALGORITHMS_ASKED, count, perf, ptr(ws),
                            size(ws)));
        }
        return workspaceBytes;
    }

    /**
     * The search workspace, or none when the pool cannot give it: the search then still runs,
     * and the algorithms that need a workspace report a failed status and are not chosen.
     */
    private static DeviceBuffer searchWorkspace(Scratch scratch, long bytes) {
        if (bytes == 0) {
            return null;
        }
        try {
            return scratch.allocate(bytes);
        } catch (DeviceOutOfMemoryException e) {
            return null;
        }
    }

    private static DeviceBuffer cleared(Scratch scratch, long bytes) {
        DeviceBuffer b = scratch.allocate(bytes);
        b.clear();
        return b;
    }

    /** {@code output = conv(input, filter)}. */
    public void forward(DeviceBuffer input, DeviceBuffer filter, DeviceBuffer output, DeviceBuffer workspace) {
        requirePrepared();
        mathType(forwardAlgorithm.mathType());
        CudaStatus.cudnn(Cudnn.cudnnConvolutionForward(cudnn.handle(), one, x, ptr(input), w, ptr(filter), conv,
                forwardAlgorithm.algo(), ptr(workspace), size(workspace), zero, y, ptr(output)), "cudnnConvolutionForward");
    }

    /** {@code inputGradient (+)= conv^T(outputGradient, filter)}; accumulates when {@code accumulate}. */
    public void backwardData(DeviceBuffer filter, DeviceBuffer outputGradient, DeviceBuffer inputGradient,
                             boolean accumulate, DeviceBuffer workspace) {
        requirePrepared();
        mathType(backwardDataAlgorithm.mathType());
        CudaStatus.cudnn(Cudnn.cudnnConvolutionBackwardData(cudnn.handle(), one, w, ptr(filter), y, ptr(outputGradient),
                conv, backwardDataAlgorithm.algo(), ptr(workspace), size(workspace), accumulate ? one : zero, x,
                ptr(inputGradient)), "cudnnConvolutionBackwardData");
    }

    /** {@code filterGradient (+)= correlation of input with outputGradient}. */
    public void backwardFilter(DeviceBuffer input, DeviceBuffer outputGradient, DeviceBuffer filterGradient,
                               boolean accumulate, DeviceBuffer workspace) {
        requirePrepared();
        mathType(backwardFilterAlgorithm.mathType());
        CudaStatus.cudnn(Cudnn.cudnnConvolutionBackwardFilter(cudnn.handle(), one, x, ptr(input), y, ptr(outputGradient),
                conv, backwardFilterAlgorithm.algo(), ptr(workspace), size(workspace), accumulate ? one : zero, w,
                ptr(filterGradient)), "cudnnConvolutionBackwardFilter");
    }

    private void requirePrepared() {
        if (forwardAlgorithm == null) {
            throw new IllegalStateException("convolution used before prepare() chose its algorithms");
        }
    }

    /** The descriptor's math type: the policy's for searches, the chosen result's for each call. */
    private void mathType(int mathType) {
        CudaStatus.cudnn(Cudnn.cudnnSetConvolutionMathType(conv, mathType), "cudnnSetConvolutionMathType");
    }

    /** cudnnGetConvolution*WorkspaceSize for one algorithm. */
    private interface WorkspaceSize {
        int query(int algo, MemorySegment size);
    }

    /** One of the cudnnFind*AlgorithmEx calls, up to ALGORITHMS_ASKED results into {@code perf}. */
    private interface Finder {
        int find(MemorySegment count, MemorySegment perf, DeviceBuffer workspace);
    }

    /**
     * Runs one Ex search with the policy's math type on the descriptor and a workspace as large
     * as the hungriest algorithm asks (up to {@link #SEARCH_WORKSPACE_LIMIT}), and keeps the
     * result {@link CudnnAlgorithmChoice} picks, growing the workspace to what it needs.
     */
    private CudnnAlgorithmChoice.Result search(Scratch scratch, String direction, String call, int algorithms,
                                               WorkspaceSize sizes, Finder finder) {
        mathType(precision.cudnnMathType());
        long searchBytes = 0;
        MemorySegment size = arena.allocate(ValueLayout.JAVA_LONG);
        for (int algo = 0; algo < algorithms; algo++) {
            if (sizes.query(algo, size) == Cudnn.CUDNN_STATUS_SUCCESS()) {
                long bytes = size.get(ValueLayout.JAVA_LONG, 0);
                if (bytes <= SEARCH_WORKSPACE_LIMIT) {
                    searchBytes = Math.max(searchBytes, bytes);
                }
            }
        }
        MemorySegment perf = cudnnConvolutionFwdAlgoPerf_t.allocateArray(ALGORITHMS_ASKED, arena);
        MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
        try (DeviceBuffer workspace = searchWorkspace(scratch, searchBytes)) {
            CudaStatus.cudnn(finder.find(count, perf, workspace), call);
        }
        CudnnAlgorithmChoice.Result chosen = CudnnAlgorithmChoice.choose(
                CudnnAlgorithmChoice.read(perf, count.get(ValueLayout.JAVA_INT, 0)), precision)
                .orElseThrow(() -> new IllegalStateException("cuDNN offers no working " + direction
                        + " algorithm under " + precision + " for output " + java.util.Arrays.toString(outputShape)));
        workspaceBytes = Math.max(workspaceBytes, chosen.memory());
        return chosen;
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
