package dev.isthmus.cuda;

import dev.isthmus.cuda.driver.CudaDriver;

/** An allocation did not fit in device memory; says what was asked for and how the pool and the device stood. */
public final class DeviceOutOfMemoryException extends CudaException {
    private final long requestedBytes;

    public DeviceOutOfMemoryException(long requestedBytes, String poolState, long[] freeAndTotal) {
        super(Api.DRIVER, "cuMemAllocAsync(" + requestedBytes + " bytes)", CudaDriver.CUDA_ERROR_OUT_OF_MEMORY(),
                "CUDA_ERROR_OUT_OF_MEMORY",
                "out of device memory allocating " + requestedBytes + " bytes; " + poolState + "; device "
                        + freeAndTotal[0] + " of " + freeAndTotal[1] + " bytes free", true);
        this.requestedBytes = requestedBytes;
    }

    public long requestedBytes() {
        return requestedBytes;
    }
}
