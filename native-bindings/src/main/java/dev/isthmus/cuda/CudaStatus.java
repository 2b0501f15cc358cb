package dev.isthmus.cuda;

import dev.isthmus.cuda.cublas.Cublas;
import dev.isthmus.cuda.cudnn.Cudnn;
import dev.isthmus.cuda.driver.CudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

/**
 * Turns every non-success status into a {@link CudaException}. Names and descriptions come from
 * the libraries themselves ({@code cuGetErrorName/String}, {@code cublasGetStatusName/String},
 * {@code cudnnGetErrorString/cudnnGetLastErrorString}) when they are loaded, and from the
 * generated constants otherwise.
 */
public final class CudaStatus {
    private static final int MAX_C_STRING = 4096;

    private static final Map<Integer, String> DRIVER_NAMES = Map.of(
            CudaDriver.CUDA_ERROR_OUT_OF_MEMORY(), "CUDA_ERROR_OUT_OF_MEMORY",
            CudaDriver.CUDA_ERROR_NOT_INITIALIZED(), "CUDA_ERROR_NOT_INITIALIZED",
            CudaDriver.CUDA_ERROR_NO_DEVICE(), "CUDA_ERROR_NO_DEVICE",
            CudaDriver.CUDA_ERROR_NOT_READY(), "CUDA_ERROR_NOT_READY");
    private static final Map<Integer, String> CUBLAS_NAMES = Map.of(
            Cublas.CUBLAS_STATUS_NOT_INITIALIZED(), "CUBLAS_STATUS_NOT_INITIALIZED",
            Cublas.CUBLAS_STATUS_ALLOC_FAILED(), "CUBLAS_STATUS_ALLOC_FAILED",
            Cublas.CUBLAS_STATUS_INVALID_VALUE(), "CUBLAS_STATUS_INVALID_VALUE",
            Cublas.CUBLAS_STATUS_EXECUTION_FAILED(), "CUBLAS_STATUS_EXECUTION_FAILED",
            Cublas.CUBLAS_STATUS_NOT_SUPPORTED(), "CUBLAS_STATUS_NOT_SUPPORTED");
    private static final Map<Integer, String> CUDNN_NAMES = Map.of(
            Cudnn.CUDNN_STATUS_NOT_INITIALIZED(), "CUDNN_STATUS_NOT_INITIALIZED",
            Cudnn.CUDNN_STATUS_BAD_PARAM(), "CUDNN_STATUS_BAD_PARAM",
            Cudnn.CUDNN_STATUS_NOT_SUPPORTED(), "CUDNN_STATUS_NOT_SUPPORTED",
            Cudnn.CUDNN_STATUS_INTERNAL_ERROR(), "CUDNN_STATUS_INTERNAL_ERROR",
            Cudnn.CUDNN_STATUS_EXECUTION_FAILED(), "CUDNN_STATUS_EXECUTION_FAILED");

    private CudaStatus() {
    }

    public static void driver(int status, String call) {
        if (status != CudaDriver.CUDA_SUCCESS()) {
            throw driverException(status, call);
        }
    }

    public static void cublas(int status, String call) {
        if (status != Cublas.CUBLAS_STATUS_SUCCESS()) {
            throw cublasException(status, call);
        }
    }

    public static void cudnn(int status, String call) {
        if (status != Cudnn.CUDNN_STATUS_SUCCESS()) {
            throw cudnnException(status, call);
        }
    }

    static CudaException driverException(int status, String call) {
        String name = DRIVER_NAMES.getOrDefault(status, "CUresult " + status);
        String description = null;
        if (loaded(CudaLibrary.DRIVER)) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
                if (CudaDriver.cuGetErrorName(status, out) == CudaDriver.CUDA_SUCCESS()) {
                    name = cString(out.get(ValueLayout.ADDRESS, 0));
                }
                if (CudaDriver.cuGetErrorString(status, out) == CudaDriver.CUDA_SUCCESS()) {
                    description = cString(out.get(ValueLayout.ADDRESS, 0));
                }
            }
        }
        return new CudaException(CudaException.Api.DRIVER, call, status, name, description,
                status == CudaDriver.CUDA_ERROR_OUT_OF_MEMORY());
    }

    static CudaException cublasException(int status, String call) {
        String name = CUBLAS_NAMES.getOrDefault(status, "cublasStatus_t " + status);
        String description = null;
        if (loaded(CudaLibrary.CUBLAS)) {
            name = cString(Cublas.cublasGetStatusName(status));
            description = cString(Cublas.cublasGetStatusString(status));
        }
        return new CudaException(CudaException.Api.CUBLAS, call, status, name, description,
                status == Cublas.CUBLAS_STATUS_ALLOC_FAILED());
    }

    static CudaException cudnnException(int status, String call) {
        String name = CUDNN_NAMES.getOrDefault(status, "cudnnStatus_t " + status);
        String description = null;
        if (loaded(CudaLibrary.CUDNN)) {
            name = cString(Cudnn.cudnnGetErrorString(status));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment message = arena.allocate(1024);
                Cudnn.cudnnGetLastErrorString(message, message.byteSize());
                description = message.getString(0);
            }
        }
        boolean oom = name.contains("ALLOC_FAILED") || name.contains("OUT_OF_MEMORY");
        return new CudaException(CudaException.Api.CUDNN, call, status, name, description, oom);
    }

    private static boolean loaded(CudaLibrary library) {
        return CudaLibraries.system().isLoaded(library);
    }

    /** Reads a NUL-terminated string the library owns (a static table), at most {@value #MAX_C_STRING} bytes. */
    static String cString(MemorySegment pointer) {
        if (pointer.equals(MemorySegment.NULL)) {
            return "";
        }
        return pointer.reinterpret(MAX_C_STRING).getString(0);
    }
}
