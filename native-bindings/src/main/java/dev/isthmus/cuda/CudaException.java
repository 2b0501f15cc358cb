package dev.isthmus.cuda;

/**
 * A CUDA driver, cuBLAS or cuDNN call returned something other than success. Carries the API,
 * the call, the numeric status, its name and the library's own description of it.
 */
public class CudaException extends RuntimeException {

    /** The library whose call failed. */
    public enum Api {
        DRIVER("CUDA driver"), CUBLAS("cuBLAS"), CUDNN("cuDNN");

        private final String displayName;

        Api(String displayName) {
            this.displayName = displayName;
        }

        public String displayName() {
            return displayName;
        }
    }

    private final Api api;
    private final String call;
    private final int status;
    private final String statusName;
    private final boolean outOfMemory;

    public CudaException(Api api, String call, int status, String statusName, String description, boolean outOfMemory) {
        super(call + " failed: " + statusName + " (" + api.displayName() + " status " + status + ")"
                + (description == null || description.isBlank() || description.equals(statusName) ? "" : ": " + description));
        this.api = api;
        this.call = call;
        this.status = status;
        this.statusName = statusName;
        this.outOfMemory = outOfMemory;
    }

    public Api api() {
        return api;
    }

    /** The function that failed, e.g. {@code cuMemAllocAsync}. */
    public String call() {
        return call;
    }

    public int status() {
        return status;
    }

    /** e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}, {@code CUBLAS_STATUS_INVALID_VALUE}. */
    public String statusName() {
        return statusName;
    }

    /** Whether the failure was the device running out of memory (the caller may free and retry). */
    public boolean isOutOfMemory() {
        return outOfMemory;
    }
}
