package dev.isthmus.nn.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AllocationTest {

    @Test
    void allocationLargerThanTheMachineIsATypedErrorNamingTheSize() {
        long scoped = CpuStorage.liveScopedBytes();
        try (Scope s = Scope.open()) {
            // 2^20 x 2^20 floats: 4 TiB
            var e = assertThrows(AllocationException.class, () -> Tensor.zeros(1 << 20, 1 << 20));
            assertEquals(1L << 42, e.requestedBytes());
            assertTrue(e.getMessage().contains("4398046511104 bytes"), e.getMessage());
        }
        assertEquals(scoped, CpuStorage.liveScopedBytes());
        assertThrows(AllocationException.class, () -> Tensor.zeros(1 << 20, 1 << 20), "outside any scope too");
    }
}
