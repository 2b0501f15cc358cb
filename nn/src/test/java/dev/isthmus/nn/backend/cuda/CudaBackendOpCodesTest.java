package dev.isthmus.nn.backend.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

/** Without a GPU: every unary, binary, reduction and random op of nn has a kernel op code of the same name. */
class CudaBackendOpCodesTest {
    @Test
    void everyOpMapsToAKernelCode() {
        assertDoesNotThrow(() -> Class.forName(CudaBackend.class.getName(), true, getClass().getClassLoader()));
    }
}
