package dev.isthmus.cuda;

import dev.isthmus.cuda.cublas.Cublas;
import dev.isthmus.cuda.cudnn.Cudnn;
import dev.isthmus.cuda.driver.CudaDriver;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CudaStatusTest {

    @Test
    void successPassesEveryOtherStatusThrows() {
        assertDoesNotThrow(() -> CudaStatus.driver(CudaDriver.CUDA_SUCCESS(), "cuInit"));
        assertDoesNotThrow(() -> CudaStatus.cublas(Cublas.CUBLAS_STATUS_SUCCESS(), "cublasCreate"));
        assertDoesNotThrow(() -> CudaStatus.cudnn(Cudnn.CUDNN_STATUS_SUCCESS(), "cudnnCreate"));
    }

    @Test
    void driverOutOfMemoryIsNamedAndMarked() {
        CudaException e = assertThrows(CudaException.class,
                () -> CudaStatus.driver(CudaDriver.CUDA_ERROR_OUT_OF_MEMORY(), "cuMemAllocAsync"));
        assertEquals(CudaException.Api.DRIVER, e.api());
        assertEquals("cuMemAllocAsync", e.call());
        assertEquals(2, e.status());
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", e.statusName());
        assertTrue(e.isOutOfMemory());
        assertTrue(e.getMessage().startsWith("cuMemAllocAsync failed: CUDA_ERROR_OUT_OF_MEMORY (CUDA driver status 2)"),
                e.getMessage());
    }

    @Test
    void cublasAndCudnnStatusesCarryTheirApiAndName() {
        CudaException blas = assertThrows(CudaException.class,
                () -> CudaStatus.cublas(Cublas.CUBLAS_STATUS_INVALID_VALUE(), "cublasSgemm"));
        assertEquals(CudaException.Api.CUBLAS, blas.api());
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", blas.statusName());
        assertFalse(blas.isOutOfMemory());
        assertTrue(assertThrows(CudaException.class,
                () -> CudaStatus.cublas(Cublas.CUBLAS_STATUS_ALLOC_FAILED(), "cublasCreate")).isOutOfMemory());

        CudaException dnn = assertThrows(CudaException.class,
                () -> CudaStatus.cudnn(Cudnn.CUDNN_STATUS_BAD_PARAM(), "cudnnSetTensor4dDescriptor"));
        assertEquals(CudaException.Api.CUDNN, dnn.api());
        assertEquals("CUDNN_STATUS_BAD_PARAM", dnn.statusName());
        assertTrue(dnn.getMessage().contains("cudnnSetTensor4dDescriptor"), dnn.getMessage());
    }

    @Test
    void anUnknownStatusStillThrowsWithItsNumber() {
        CudaException e = assertThrows(CudaException.class, () -> CudaStatus.driver(999, "cuLaunchKernel"));
        assertEquals(999, e.status());
        assertTrue(e.getMessage().contains("999"), e.getMessage());
    }
}
