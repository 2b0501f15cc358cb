package dev.isthmus.cuda;

import dev.isthmus.cuda.cublas.Cublas;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A cuBLAS handle bound to one stream. The GEMMs take row-major operands (as Isthmus stores
 * tensors) and call cuBLAS's column-major routines on the transposed problem, which is the same
 * memory. fp32 GEMMs compute as the {@link Precision} set here says. Not for concurrent use from
 * several threads.
 */
public final class CublasHandle implements AutoCloseable {

    private final CudaStream stream;
    private final MemorySegment handle;
    // Shared, not confined: the backend may be driven from any thread (calls are serialised by its locks).
    private final Arena scalars = Arena.ofShared();
    private final MemorySegment alpha = scalars.allocate(ValueLayout.JAVA_FLOAT);
    private final MemorySegment beta = scalars.allocate(ValueLayout.JAVA_FLOAT);
    private Precision precision = Precision.FP32;
    private boolean closed;

    private CublasHandle(CudaStream stream, MemorySegment handle) {
        this.stream = stream;
        this.handle = handle;
    }

    public static CublasHandle create(CudaStream stream) {
        CudaLibraries.system().require(CudaLibrary.CUBLAS_LT, CudaLibrary.CUBLAS);
        stream.context().bind();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            CudaStatus.cublas(Cublas.cublasCreate_v2(out), "cublasCreate");
            MemorySegment handle = out.get(ValueLayout.ADDRESS, 0);
            CudaStatus.cublas(Cublas.cublasSetStream_v2(handle, stream.handle()), "cublasSetStream");
            return new CublasHandle(stream, handle);
        }
    }

    /** cuBLAS's version as {@code major * 10000 + minor * 100 + patch}. */
    public int version() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(ValueLayout.JAVA_INT);
            CudaStatus.cublas(Cublas.cublasGetVersion_v2(handle(), v), "cublasGetVersion");
            return v.get(ValueLayout.JAVA_INT, 0);
        }
    }

    public synchronized void setPrecision(Precision precision) {
        stream.context().bind();
        int mode = precision == Precision.TF32 ? Cublas.CUBLAS_TF32_TENSOR_OP_MATH() : Cublas.CUBLAS_DEFAULT_MATH();
        CudaStatus.cublas(Cublas.cublasSetMathMode(handle(), mode), "cublasSetMathMode");
        this.precision = precision;
    }

    public Precision precision() {
        return precision;
    }

    /** Gives cuBLAS a workspace of its own (needed for use inside CUDA graph capture). */
    public void setWorkspace(DeviceBuffer workspace) {
        stream.context().bind();
        CudaStatus.cublas(Cublas.cublasSetWorkspace_v2(handle(), MemorySegment.ofAddress(workspace.pointer()),
                workspace.byteSize()), "cublasSetWorkspace");
    }

    /**
     * Row-major {@code C[m,n] = alpha * op(A) * op(B) + beta * C}, with {@code op(A)} of shape
     * {@code [m,k]} (A stored {@code [k,m]} when {@code transposeA}) and {@code op(B)} {@code [k,n]}.
     */
    public void gemm(boolean transposeA, boolean transposeB, int m, int n, int k, float alphaValue,
                     DeviceBuffer a, DeviceBuffer b, float betaValue, DeviceBuffer c) {
        gemmStridedBatched(transposeA, transposeB, m, n, k, alphaValue, a, 0, b, 0, betaValue, c, 0, 1);
    }

    /**
     * {@code batch} row-major GEMMs as in {@link #gemm}; matrix {@code i} of each operand starts
     * {@code i * stride} floats after the first (a stride of 0 reuses one matrix).
     */
    public void gemmStridedBatched(boolean transposeA, boolean transposeB, int m, int n, int k, float alphaValue,
                                   DeviceBuffer a, long strideA, DeviceBuffer b, long strideB, float betaValue,
                                   DeviceBuffer c, long strideC, int batch) {
        gemm(transposeA, transposeB, m, n, k, alphaValue, a, 0, transposeA ? m : k, strideA,
                b, 0, transposeB ? k : n, strideB, betaValue, c, 0, n, strideC, batch);
    }

    /**
     * The general form: each operand starts {@code offset} floats into its buffer, rows are
     * {@code ld} floats apart (views of a larger matrix, e.g. one time step of a sequence), and
     * batch member {@code i} starts {@code i * stride} floats later. Every extent is checked
     * against its buffer before cuBLAS is called. Serialised: alpha and beta are read from host
     * memory this handle owns.
     */
    public synchronized void gemm(boolean transposeA, boolean transposeB, int m, int n, int k, float alphaValue,
                     DeviceBuffer a, long offsetA, int lda, long strideA,
                     DeviceBuffer b, long offsetB, int ldb, long strideB, float betaValue,
                     DeviceBuffer c, long offsetC, int ldc, long strideC, int batch) {
        checkExtent("A", a, offsetA, transposeA ? k : m, transposeA ? m : k, lda, strideA, batch);
        checkExtent("B", b, offsetB, transposeB ? n : k, transposeB ? k : n, ldb, strideB, batch);
        checkExtent("C", c, offsetC, m, n, ldc, strideC, batch);
        if (m == 0 || n == 0 || batch == 0) {
            return;
        }
        stream.context().bind();
        alpha.set(ValueLayout.JAVA_FLOAT, 0, alphaValue);
        beta.set(ValueLayout.JAVA_FLOAT, 0, betaValue);
        int opA = transposeA ? Cublas.CUBLAS_OP_T() : Cublas.CUBLAS_OP_N();
        int opB = transposeB ? Cublas.CUBLAS_OP_T() : Cublas.CUBLAS_OP_N();
        MemorySegment pa = MemorySegment.ofAddress(a.pointer() + 4 * offsetA);
        MemorySegment pb = MemorySegment.ofAddress(b.pointer() + 4 * offsetB);
        MemorySegment pc = MemorySegment.ofAddress(c.pointer() + 4 * offsetC);
        // Column-major cuBLAS sees each row-major matrix transposed: C^T = op(B)^T * op(A)^T.
        if (precision == Precision.FP32 && batch == 1) {
            CudaStatus.cublas(Cublas.cublasSgemm_v2(handle(), opB, opA, n, m, k, alpha, pb, ldb, pa, lda, beta, pc, ldc),
                    "cublasSgemm");
        } else if (precision == Precision.FP32) {
            CudaStatus.cublas(Cublas.cublasSgemmStridedBatched(handle(), opB, opA, n, m, k, alpha, pb, ldb, strideB,
                    pa, lda, strideA, beta, pc, ldc, strideC, batch), "cublasSgemmStridedBatched");
        } else {
            int compute = precision == Precision.TF32 ? Cublas.CUBLAS_COMPUTE_32F_FAST_TF32()
                    : Cublas.CUBLAS_COMPUTE_32F_FAST_16BF();
            CudaStatus.cublas(Cublas.cublasGemmStridedBatchedEx(handle(), opB, opA, n, m, k, alpha,
                    pb, Cublas.CUDA_R_32F(), ldb, strideB, pa, Cublas.CUDA_R_32F(), lda, strideA, beta,
                    pc, Cublas.CUDA_R_32F(), ldc, strideC, batch, compute, Cublas.CUBLAS_GEMM_DEFAULT()),
                    "cublasGemmStridedBatchedEx");
        }
    }

    /** Checks that a rows × cols matrix with leading dimension ld, batch times, fits its buffer. */
    static void checkExtent(String operand, DeviceBuffer buffer, long offset, long rows, long cols, long ld,
                            long stride, int batch) {
        if (ld < cols || offset < 0 || stride < 0 || batch < 0) {
            throw new IllegalArgumentException("GEMM operand " + operand + ": leading dimension " + ld
                    + " below its " + cols + " columns, or a negative offset/stride/batch");
        }
        if (rows == 0 || cols == 0 || batch == 0) {
            return;
        }
        long needed = 4L * (offset + (batch - 1L) * stride + (rows - 1) * ld + cols);
        if (needed > buffer.byteSize()) {
            throw new IllegalArgumentException("GEMM operand " + operand + " needs " + needed + " bytes (" + batch
                    + " matrices of " + rows + "x" + cols + ", ld " + ld + ", offset " + offset + ", stride " + stride
                    + ") but its buffer has " + buffer.byteSize());
        }
    }

    MemorySegment handle() {
        if (closed) {
            throw new IllegalStateException("cuBLAS handle is closed");
        }
        return handle;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            stream.context().bind();
            scalars.close();
            CudaStatus.cublas(Cublas.cublasDestroy_v2(handle), "cublasDestroy");
        }
    }
}
