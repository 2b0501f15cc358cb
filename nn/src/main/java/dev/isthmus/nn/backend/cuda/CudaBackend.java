package dev.isthmus.nn.backend.cuda;

import dev.isthmus.cuda.CublasHandle;
import dev.isthmus.cuda.CudaContext;
import dev.isthmus.cuda.CudaGraph;
import dev.isthmus.cuda.CudaLibraries;
import dev.isthmus.cuda.CudaLibrary;
import dev.isthmus.cuda.CudaMemoryPool;
import dev.isthmus.cuda.CudaStream;
import dev.isthmus.cuda.CudnnHandle;
import dev.isthmus.cuda.DeviceBuffer;
import dev.isthmus.cuda.PinnedHostBuffer;
import dev.isthmus.cuda.Precision;
import dev.isthmus.kernels.ElementwiseKernels;
import dev.isthmus.kernels.IndexKernels;
import dev.isthmus.kernels.Kernels;
import dev.isthmus.kernels.LstmKernels;
import dev.isthmus.kernels.PoolKernels;
import dev.isthmus.kernels.ReductionKernels;
import dev.isthmus.nn.backend.Backend;
import dev.isthmus.nn.backend.BinaryOp;
import dev.isthmus.nn.backend.DeviceCell;
import dev.isthmus.nn.backend.StepCapture;
import dev.isthmus.nn.backend.StepGraph;
import dev.isthmus.nn.backend.ReduceOp;
import dev.isthmus.nn.backend.UnaryOp;
import dev.isthmus.nn.backend.Window2d;
import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.DeviceCounters;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.IndexOutOfRangeException;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Shapes;
import dev.isthmus.nn.tensor.Storage;
import dev.isthmus.nn.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.util.List;

/**
 * The GPU backend of one device: storage from the device's stream-ordered pool, every op
 * enqueued on one stream (the host waits only when it reads values back or synchronizes),
 * GEMMs through cuBLAS, convolutions through cuDNN, everything else through our PTX kernels.
 *
 * <p>Every op ends with {@link #enqueued}: a tensor made outside a scope is freed by the cleaner
 * once unreachable, and the JIT may consider a parameter unreachable as soon as its buffer's
 * address has been read, before the launch that uses it is enqueued; the free (stream-ordered,
 * so harmless after the launch) would then come first and the kernel read freed memory.
 */
public final class CudaBackend implements Backend {
    // nn's op enums to the kernels' op codes, by name, once (a missing kernel op fails here, at load).
    private static final ElementwiseKernels.Unary[] UNARY = codes(UnaryOp.values(), ElementwiseKernels.Unary.class);
    private static final ElementwiseKernels.Binary[] BINARY = codes(BinaryOp.values(), ElementwiseKernels.Binary.class);
    private static final ReductionKernels.Reduce[] REDUCE = codes(ReduceOp.values(), ReductionKernels.Reduce.class);
    private static final ElementwiseKernels.Distribution[] DISTRIBUTION =
            codes(Distribution.values(), ElementwiseKernels.Distribution.class);
    /** Two pinned upload slots: one fills on the host while the other's copy runs. */
    private static final int UPLOAD_SLOTS = 2;
    private static final long UPLOAD_SLOT_BYTES = 8L << 20;
    private static final long READ_STAGING_BYTES = 64L << 20;

    private final Device device;
    private final CudaContext context;
    private final CudaStream stream;
    private final CudaMemoryPool pool;
    private final DeviceAllocator allocator;
    private final UploadStaging uploads;
    private final CublasHandle cublas;
    private final CudaConvolutions convolutions;
    private final CudaLstm lstm;
    private final CudnnLstmPath cudnnLstm;
    private volatile Precision precision;
    private final ElementwiseKernels elementwise;
    private final ReductionKernels reductions;
    private final IndexKernels index;
    private final PoolKernels pooling;
    private final DeviceCounters counters = new DeviceCounters();
    private PinnedHostBuffer staging;
    /** The first out-of-range index an index kernel met (see {@link IndexKernels}), and its host copy. */
    private final DeviceBuffer indexError;
    private final PinnedHostBuffer indexErrorHost;
    private boolean indexErrorPossible;
    private DeviceBuffer adamTable;
    /** cuBLAS's own workspace, made before the first capture (cuBLAS may not allocate inside one). */
    private DeviceBuffer cublasWorkspace;
    private static final long CUBLAS_WORKSPACE_BYTES = 32L << 20;
    private long[] adamTableRows = new long[0];

    private CudaBackend(Device device) {
        CudaLibraries.system().require(CudaLibrary.DRIVER, CudaLibrary.CUBLAS_LT, CudaLibrary.CUBLAS);
        this.device = device;
        this.context = CudaContext.retainPrimary(device.index());
        this.stream = CudaStream.create(context);
        this.pool = CudaMemoryPool.defaultPool(context);
        // Keep freed memory in the pool: a training step frees and reallocates the same sizes.
        pool.setReleaseThreshold(Long.MAX_VALUE);
        this.allocator = new DeviceAllocator(stream, pool);
        this.uploads = new UploadStaging(UPLOAD_SLOTS, UPLOAD_SLOT_BYTES, bytes -> new PinnedSlot(context, stream, bytes));
        this.cublas = CublasHandle.create(stream);
        setPrecision(Precision.fromSystemProperty());
        Kernels kernels = new Kernels(context, stream);
        this.elementwise = new ElementwiseKernels(kernels);
        this.reductions = new ReductionKernels(kernels, new ReductionScratch(allocator));
        this.index = new IndexKernels(kernels);
        this.pooling = new PoolKernels(kernels);
        LstmKernels lstmKernels = new LstmKernels(kernels);
        this.lstm = new CudaLstm(this, cublas, lstmKernels, reductions);
        CudnnHandle cudnn = cudnnOrNull(stream);
        this.convolutions = new CudaConvolutions(this, cudnn, index);
        boolean kernelsOnly = "kernels".equalsIgnoreCase(System.getProperty("isthmus.cuda.lstm", "cudnn"));
        this.cudnnLstm = cudnn == null || kernelsOnly ? null : new CudnnLstmPath(this, cudnn, lstmKernels, index);
        this.indexError = allocator.allocate(IndexKernels.INDEX_ERROR_BYTES);
        indexError.clear();
        this.indexErrorHost = PinnedHostBuffer.allocate(context, IndexKernels.INDEX_ERROR_BYTES);
    }

    private static <A extends Enum<A>, B extends Enum<B>> B[] codes(A[] ops, Class<B> kernelCodes) {
        @SuppressWarnings("unchecked")
        B[] out = (B[]) java.lang.reflect.Array.newInstance(kernelCodes, ops.length);
        for (A op : ops) {
            out[op.ordinal()] = Enum.valueOf(kernelCodes, op.name());
        }
        return out;
    }

    /** cuDNN when it loads and makes a handle; without it everything but Conv2D still runs. */
    private static CudnnHandle cudnnOrNull(CudaStream stream) {
        if (!CudaLibraries.system().isLoaded(CudaLibrary.CUDNN)) {
            return null;
        }
        try {
            return CudnnHandle.create(stream);
        } catch (RuntimeException e) {
            System.getLogger("dev.isthmus.nn.backend").log(System.Logger.Level.WARNING,
                    "cuDNN loaded but its handle failed; Conv2D on CUDA is unavailable: " + e.getMessage());
            return null;
        }
    }

    /** Opens the backend of CUDA device {@code ordinal}; throws if the driver, the device or cuBLAS is missing. */
    public static CudaBackend open(int ordinal) {
        return new CudaBackend(Device.cuda(ordinal));
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public String describe() {
        return device + " (" + context.device().name() + ", precision " + precision + ", cuDNN "
                + (convolutions.hasCudnn() ? CudnnHandle.version() : "absent") + ")";
    }

    /**
     * How fp32 GEMMs (cuBLAS), convolutions and cuDNN LSTMs compute: FP32 unless the system
     * property {@value Precision#PROPERTY} or this setter asks for TF32 or BF16. Convolution and
     * LSTM plans are kept per precision, so a change takes effect from the next call.
     */
    public synchronized void setPrecision(Precision precision) {
        cublas.setPrecision(precision);
        this.precision = precision;
    }

    /** The precision fp32 GEMMs, convolutions and LSTMs compute in now (see {@link #setPrecision}). */
    public Precision precision() {
        return precision;
    }

    CudaStream stream() {
        return stream;
    }

    CudaMemoryPool pool() {
        return pool;
    }

    /** Device bytes held by live tensors of every CUDA backend. */
    public static long liveBytes() {
        return CudaStorage.liveBytes();
    }

    /** Bytes the pool holds and hands out; see {@link CudaMemoryPool}. */
    public String poolState() {
        return pool.describe();
    }

    @Override
    public Storage allocate(long numel, DType dtype, Scope owner) {
        return new CudaStorage(device, allocator, counters, numel, dtype, owner);
    }

    @Override
    public DeviceCounters counters() {
        return counters;
    }

    /** Frees a long-lived buffer being replaced, once no captured step can use it ({@link DeviceAllocator#retire}). */
    void retire(DeviceBuffer buffer) {
        allocator.retire(buffer);
    }

    /** Scratch memory for one op, freed (stream-ordered) when the caller closes it. */
    DeviceBuffer scratch(long bytes) {
        return allocator.allocate(bytes);
    }

    static DeviceBuffer buf(Tensor t) {
        return ((CudaStorage) t.storage()).buffer();
    }

    /** See the class comment: keeps the op's tensors reachable until its launches are enqueued. */
    private void enqueued(Tensor... tensors) {
        counters.launched();
        for (Tensor t : tensors) {
            Reference.reachabilityFence(t);
        }
    }

    /** Through pinned staging ({@link UploadStaging}): src may be freed as soon as this returns. */
    @Override
    public void copyFromHost(MemorySegment src, Tensor dst) {
        StepCapture.refuse("copyFromHost (an upload of host memory)");
        long bytes = dst.storage().byteSize();
        if (bytes == 0) {
            return;
        }
        DeviceBuffer target = buf(dst);
        uploads.upload(src, bytes, target::copyFromHost);
        enqueued(dst);
    }

    /**
     * Reads through pinned staging, with the record of bad indices in the same synchronisation:
     * an index error of any earlier op surfaces here, at the first read after it. Tensors larger
     * than {@value #READ_STAGING_BYTES} bytes are read in pieces of that size, so the pinned
     * memory stays bounded whatever the largest tensor ever read.
     */
    @Override
    public synchronized void copyToHost(Tensor src, MemorySegment dst) {
        StepCapture.refuse("copyToHost (a read of values to the host)");
        long bytes = src.storage().byteSize();
        long piece = Math.min(bytes, READ_STAGING_BYTES);
        if (staging == null || staging.segment().byteSize() < piece) {
            if (staging != null) {
                staging.close();
            }
            staging = PinnedHostBuffer.allocate(context, Math.max(piece, 1 << 20));
        }
        DeviceBuffer source = buf(src);
        boolean checkIndices = indexErrorPossible;
        if (checkIndices) {
            indexError.copyToHost(0, indexErrorHost.segment());
        }
        counters.hostRead();
        long offset = 0;
        do {
            long length = Math.min(piece, bytes - offset);
            MemorySegment host = staging.segment().asSlice(0, length);
            if (length > 0) {
                source.copyToHost(offset, host);
            }
            stream.synchronize();
            if (checkIndices) {
                checkIndices = false;
                indexErrorPossible = false;
                raiseIndexError();
            }
            MemorySegment.copy(host, 0, dst, offset, length);
            offset += length;
        } while (offset < bytes);
        enqueued(src);
    }

    private void raiseIndexError() {
        MemorySegment record = indexErrorHost.segment();
        long op = record.getAtIndex(ValueLayout.JAVA_LONG, 0);
        if (op == 0) {
            return;
        }
        indexError.clear();
        String name = switch (IndexKernels.IndexOp.values()[(int) Math.min(op, IndexKernels.IndexOp.values().length - 1)]) {
            case GATHER -> "indexSelect";
            case SCATTER -> "indexSelect (gradient)";
            default -> "pick (labels)";
        };
        throw new IndexOutOfRangeException(name + " (an earlier op on " + device + ", reported at this read)",
                record.getAtIndex(ValueLayout.JAVA_LONG, 1), record.getAtIndex(ValueLayout.JAVA_LONG, 2),
                record.getAtIndex(ValueLayout.JAVA_LONG, 3));
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        buf(dst).copyFrom(buf(src), 0, 0, src.storage().byteSize());
        enqueued(src, dst);
    }

    @Override
    public void cast(Tensor src, Tensor dst) {
        if (src.numel() > 0) {
            index.cast(buf(src), elementType(src.dtype()), buf(dst), elementType(dst.dtype()), src.numel());
        }
        enqueued(src, dst);
    }

    private static IndexKernels.ElementType elementType(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> IndexKernels.ElementType.F32;
            case INT32 -> IndexKernels.ElementType.I32;
            case INT64 -> IndexKernels.ElementType.I64;
        };
    }

    /** Elements of {@code dtype} in 32-bit words, the unit the data-movement kernels copy. */
    private static long words(DType dtype) {
        return dtype.byteSize() / Integer.BYTES;
    }

    @Override
    public void fill(Tensor out, float value) {
        if (value == 0f) {
            buf(out).clear();
        } else if (out.numel() > 0) {
            buf(out).fill32(Float.floatToRawIntBits(value));
        }
        enqueued(out);
    }

    @Override
    public void random(Tensor out, Distribution distribution, float a, float b, long seed) {
        elementwise.random(buf(out), out.numel(), DISTRIBUTION[distribution.ordinal()], a, b, seed);
        enqueued(out);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, long strideA,
                     Tensor b, long strideB, float beta, Tensor c, long strideC, int batch) {
        cublas.gemm(transA, transB, m, n, k, alpha, buf(a), 0, transA ? m : k, strideA, buf(b), 0, transB ? k : n,
                strideB, beta, buf(c), 0, n, strideC, batch);
        enqueued(a, b, c);
    }

    @Override
    public void unary(UnaryOp op, Tensor x, float p, float q, Tensor out) {
        elementwise.unary(UNARY[op.ordinal()], buf(x), buf(out), x.numel(), p, q);
        enqueued(x, out);
    }

    @Override
    public void unaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor gy, float p, float q, Tensor gx) {
        elementwise.unaryBackward(UNARY[op.ordinal()], buf(x), buf(y), buf(gy), buf(gx),
                x.numel(), p, q);
        enqueued(x, y, gy, gx);
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        ElementwiseKernels.Binary code = BINARY[op.ordinal()];
        int[] shape = out.shape();
        long n = out.numel();
        if (n == 0) {
            return;
        }
        long inner = Shapes.trailingMatch(b.shape(), shape);
        if (a.numel() == n && b.numel() == n) {
            elementwise.binarySame(code, buf(a), buf(b), buf(out), n);
        } else if (a.numel() == n && inner > 0 && b.numel() == inner) {
            elementwise.binaryRows(code, buf(a), buf(b), buf(out), n, inner);
        } else {
            elementwise.binaryBroadcast(code, buf(a), buf(b), buf(out), n, shape,
                    Shapes.broadcastStrides(a.shape(), shape), Shapes.broadcastStrides(b.shape(), shape));
        }
        enqueued(a, b, out);
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out) {
        if (x.rank() == 0) {
            copy(x, out);
            return;
        }
        if (x.numel() == 0) {
            buf(out).clear();
            enqueued(out);
            return;
        }
        reductions.reduce(REDUCE[op.ordinal()], buf(x), x.shape(), axes, buf(out));
        enqueued(x, out);
    }

    @Override
    public void softmax(Tensor x, boolean log, Tensor out) {
        int c = x.size(-1);
        if (c > 0) {
            reductions.softmax(buf(x), buf(out), x.numel() / c, c, log);
        }
        enqueued(x, out);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gy, boolean log, Tensor gx) {
        int c = y.size(-1);
        if (c > 0) {
            reductions.softmaxBackward(buf(y), buf(gy), buf(gx), y.numel() / c, c, log);
        }
        enqueued(y, gy, gx);
    }

    @Override
    public void permute(Tensor x, int[] perm, Tensor out) {
        if (out.numel() > 0) {
            index.permute(buf(x), x.shape(), perm, buf(out));
        }
        enqueued(x, out);
    }

    @Override
    public void copySlice(Tensor src, int axis, int srcStart, Tensor dst, int dstStart, int length) {
        int[] ss = src.shape();
        long outer = Shapes.product(ss, 0, axis);
        long inner = Shapes.product(ss, axis + 1, ss.length) * words(src.dtype());
        index.copySlice(buf(src), buf(dst), outer, ss[axis], dst.shape()[axis], srcStart, dstStart, length, inner);
        enqueued(src, dst);
    }

    @Override
    public void gatherRows(Tensor src, Tensor indices, Tensor out) {
        long row = src.size(0) == 0 ? 0 : src.numel() / src.size(0);
        if (indices.numel() * row == 0) {
            return;
        }
        indexErrorPossible = true;
        index.gatherRows(buf(src), buf(indices), wide(indices), buf(out), indices.numel(), row * words(src.dtype()),
                src.size(0), indexError);
        enqueued(src, indices, out);
    }

    @Override
    public void scatterAddRows(Tensor g, Tensor indices, Tensor out) {
        long row = out.size(0) == 0 ? 0 : out.numel() / out.size(0);
        if (indices.numel() * row == 0) {
            return;
        }
        indexErrorPossible = true;
        index.scatterAddRows(buf(g), buf(indices), wide(indices), buf(out), indices.numel(), row, out.size(0),
                indexError);
        enqueued(g, indices, out);
    }

    @Override
    public void pick(Tensor x, Tensor labels, Tensor out) {
        if (labels.numel() == 0) {
            return;
        }
        indexErrorPossible = true;
        index.pick(buf(x), buf(labels), wide(labels), buf(out), labels.numel(), x.size(1), indexError);
        enqueued(x, labels, out);
    }

    @Override
    public void pickBackward(Tensor g, Tensor labels, Tensor gx) {
        if (labels.numel() == 0) {
            return;
        }
        indexErrorPossible = true;
        index.pickBackward(buf(g), buf(labels), wide(labels), buf(gx), labels.numel(), gx.size(1), indexError);
        enqueued(g, labels, gx);
    }

    @Override
    public void argmax(Tensor x, Tensor out) {
        if (out.numel() > 0) {
            index.argmaxRows(buf(x), buf(out), out.numel(), x.size(-1));
        }
        enqueued(x, out);
    }

    private static boolean wide(Tensor indices) {
        return indices.dtype() == DType.INT64;
    }

    @Override
    public void conv2d(Tensor x, Tensor kernel, Window2d window, Tensor out) {
        convolutions.forward(buf(x), buf(kernel), kernel.size(3), window, buf(out));
        enqueued(x, kernel, out);
    }

    @Override
    public void conv2dBackwardData(Tensor gy, Tensor kernel, Window2d window, Tensor gx) {
        convolutions.backwardData(buf(gy), buf(kernel), kernel.size(3), window, buf(gx));
        enqueued(gy, kernel, gx);
    }

    @Override
    public void conv2dBackwardFilter(Tensor x, Tensor gy, Window2d window, Tensor gk) {
        convolutions.backwardFilter(buf(x), buf(gy), gk.size(3), window, buf(gk));
        enqueued(x, gy, gk);
    }

    private static PoolKernels.Window window(Window2d g) {
        return new PoolKernels.Window(g.batch(), g.height(), g.width(), g.channels(), g.windowHeight(),
                g.windowWidth(), g.strideHeight(), g.strideWidth(), g.padTop(), g.padLeft(), g.outHeight(),
                g.outWidth());
    }

    @Override
    public void maxPool2d(Tensor x, Window2d window, Tensor out) {
        pooling.maxPool(buf(x), buf(out), window(window));
        enqueued(x, out);
    }

    @Override
    public void maxPool2dBackward(Tensor x, Tensor gy, Window2d window, Tensor gx) {
        buf(gx).clear();
        pooling.maxPoolBackward(buf(x), buf(gy), buf(gx), window(window));
        enqueued(x, gy, gx);
    }

    /** LSTM forwards that ran through cuDNN's RNN (tests tell the two paths apart by these counts). */
    long cudnnLstmForwards() {
        return cudnnLstm == null ? 0 : cudnnLstm.forwards();
    }

    /** cuDNN LSTM forwards that kept a reserve space for their backward. */
    long cudnnLstmReserves() {
        return cudnnLstm == null ? 0 : cudnnLstm.reserves();
    }

    /** LSTM forwards that ran through cuBLAS and the gate kernels. */
    long kernelLstmForwards() {
        return lstm.forwards();
    }

    /**
     * Unmasked sequences go through cuDNN's RNN (unless {@code -Disthmus.cuda.lstm=kernels}); masked
     * ones, and every sequence when cuDNN is absent, through cuBLAS and the fused gate kernels.
     */
    @Override
    public void lstmForward(Tensor x, Tensor mask, Tensor kernel, Tensor recurrent, Tensor bias, Tensor hc,
                            Tensor gates, boolean forBackward) {
        if (mask == null && cudnnLstm != null) {
            cudnnLstm.forward(buf(x), buf(kernel), buf(recurrent), buf(bias), x.size(0), x.size(1), x.size(2),
                    recurrent.size(0), buf(hc), gates.storage(), forBackward);
        } else {
            lstm.forward(buf(x), mask == null ? null : buf(mask), buf(kernel), buf(recurrent), buf(bias),
                    x.size(0), x.size(1), x.size(2), recurrent.size(0), buf(hc), buf(gates));
        }
        enqueued(x, mask, kernel, recurrent, bias, hc, gates);
    }

    @Override
    public void lstmBackward(Tensor x, Tensor mask, Tensor kernel, Tensor recurrent, Tensor hc, Tensor gates,
                             Tensor gHc, Tensor gx, Tensor gKernel, Tensor gRecurrent, Tensor gBias) {
        if (mask == null && cudnnLstm != null) {
            cudnnLstm.backward(buf(x), buf(hc), gates.storage(), buf(gHc), x.size(0), x.size(1), x.size(2),
                    recurrent.size(0), buf(gx), buf(gKernel), buf(gRecurrent), buf(gBias));
        } else {
            lstm.backward(buf(x), mask == null ? null : buf(mask), buf(kernel), buf(recurrent), buf(hc), buf(gates),
                    buf(gHc), x.size(0), x.size(1), x.size(2), recurrent.size(0), buf(gx), buf(gKernel),
                    buf(gRecurrent), buf(gBias));
        }
        enqueued(x, mask, kernel, recurrent, hc, gates, gHc, gx, gKernel, gRecurrent, gBias);
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2,
                           float epsilon, long step) {
        float alpha = Backend.adamAlpha(lr, beta1, beta2, step);
        elementwise.adam(buf(param), buf(grad), buf(m), buf(v), param.numel(), alpha, beta1, beta2, epsilon);
        enqueued(param, grad, m, v);
    }

    @Override
    public synchronized void adamUpdateAll(List<Tensor[]> groups, float lr, float beta1, float beta2, float epsilon,
                                           long step) {
        if (groups.isEmpty()) {
            return;
        }
        long longest = adamTable(groups);
        elementwise.adamAll(adamTable, groups.size(), longest, Backend.adamAlpha(lr, beta1, beta2, step), beta1, beta2,
                epsilon);
        // The table holds bare addresses: every tensor in it must stay reachable until the launch is enqueued.
        for (Tensor[] g : groups) {
            enqueued(g);
        }
    }

    @Override
    public synchronized void adamUpdateAll(List<Tensor[]> groups, DeviceCell alpha, float beta1, float beta2,
                                           float epsilon) {
        if (groups.isEmpty()) {
            return;
        }
        long longest = adamTable(groups);
        elementwise.adamAllAt(adamTable, groups.size(), longest, cell(alpha), beta1, beta2, epsilon);
        for (Tensor[] g : groups) {
            enqueued(g);
        }
        enqueued(alpha.cells());
    }

    /** Uploads the pointer table of {@code groups} when it changed; returns the longest parameter's length. */
    private long adamTable(List<Tensor[]> groups) {
        long[] rows = new long[groups.size() * 5];
        long longest = 0;
        for (int i = 0; i < groups.size(); i++) {
            Tensor[] g = groups.get(i);
            for (int j = 0; j < 4; j++) {
                rows[i * 5 + j] = buf(g[j]).pointer();
            }
            rows[i * 5 + 4] = g[0].numel();
            longest = Math.max(longest, g[0].numel());
        }
        if (!java.util.Arrays.equals(rows, adamTableRows)) {
            // The table changes only when the parameter set does (a new model, relocated storage).
            long bytes = (long) groups.size() * ElementwiseKernels.ADAM_TABLE_ROW_BYTES;
            if (adamTable == null || adamTable.byteSize() < bytes) {
                if (adamTable != null) {
                    allocator.retire(adamTable);
                }
                adamTable = allocator.allocate(Math.max(bytes, 4096));
            }
            // Pinned staging: the arena closes as soon as the rows are staged, the copy may run later.
            // Inside a capture this upload is refused: the warm-up step has made the table already.
            StepCapture.refuse("an upload of Adam's pointer table (the parameters changed since the warm-up step)");
            try (Arena arena = Arena.ofConfined()) {
                uploads.upload(arena.allocateFrom(ValueLayout.JAVA_LONG, rows), bytes, adamTable::copyFromHost);
            }
            adamTableRows = rows;
        }
        return longest;
    }

    /** The 8 bytes of a step-value cell, for a kernel to read. */
    private static DeviceBuffer cell(DeviceCell c) {
        return buf(c.cells()).view(c.byteOffset(), Long.BYTES);
    }

    @Override
    public void random(Tensor out, Distribution distribution, float a, float b, DeviceCell seed) {
        elementwise.randomAt(buf(out), out.numel(), DISTRIBUTION[distribution.ordinal()], a, b, cell(seed));
        enqueued(out, seed.cells());
    }

    @Override
    public void copyCell(DeviceCell c, Tensor out) {
        if (out.numel() != 1 || out.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("copyCell writes one float32 element, got " + out.numel() + " of " + out.dtype());
        }
        // one 4-byte word from the cell: the slice copy kernel with a single row of a single word
        index.copySlice(cell(c), buf(out), 1, 1, 1, 0, 0, 1, 1);
        enqueued(out, c.cells());
    }

    @Override
    public void copyRowAt(Tensor src, Tensor dst, DeviceCell row) {
        if (src.dtype().byteSize() != Integer.BYTES) {
            throw new IllegalArgumentException("copyRowAt copies 4-byte elements, got " + src.dtype());
        }
        index.copyRowAt(buf(src), buf(dst), src.numel(), cell(row), dst.size(0));
        enqueued(src, dst, row.cells());
    }

    /**
     * Captures the step into a CUDA graph (thread-local capture mode: only this thread's work on
     * the stream is recorded). Allocations inside it are stream-ordered pool allocations, which
     * the graph turns into its own memory nodes, and the step's scope frees them inside it too, so
     * the graph can be launched again and again. cuBLAS gets a workspace of its own first: inside
     * a capture it may not allocate one. Written, not yet run on a GPU.
     */
    @Override
    public synchronized StepGraph captureStep(Runnable step) {
        if (cublasWorkspace == null) {
            cublasWorkspace = allocator.allocate(CUBLAS_WORKSPACE_BYTES);
            cublas.setWorkspace(cublasWorkspace);
        }
        CudaGraph graph = StepCapture.during(this, () -> CudaGraph.capture(stream, step));
        allocator.graphOpened();
        return new StepGraph() {
            private boolean closed;

            @Override
            public void replay() {
                if (closed) {
                    throw new IllegalStateException("captured step is closed");
                }
                counters.launched();
                // the captured index ops record bad indices; the next read must look at the record
                indexErrorPossible = true;
                graph.launch(stream);
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    graph.close();
                    allocator.graphClosed();
                }
            }
        };
    }

    @Override
    public void synchronize() {
        StepCapture.refuse("synchronize");
        counters.synchronization();
        stream.synchronize();
    }
}
