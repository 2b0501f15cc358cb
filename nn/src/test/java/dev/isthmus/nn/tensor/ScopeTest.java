package dev.isthmus.nn.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScopeTest {

    @Test
    void aScopeHoldingOnlyLargePooledTensorsReturnsLiveBytesToBaseline() {
        // large tensors come from pooled host blocks, not the scope's arena (found by ImageFuzzTest:
        // a 119x47x3 image left its 67,116 bytes counted after its scope closed)
        long before = CpuStorage.liveScopedBytes();
        try (Scope s = Scope.open()) {
            Tensor big = Tensor.ones(16_779);
            assertTrue(big.storage().byteSize() >= 1 << 16);
            assertEquals(before + big.storage().byteSize(), CpuStorage.liveScopedBytes());
        }
        assertEquals(before, CpuStorage.liveScopedBytes());
    }

    @Test
    void closingAScopeFreesItsTensorsAndLiveBytesReturnToBaseline() {
        long before = CpuStorage.liveScopedBytes();
        Tensor t;
        try (Scope s = Scope.open()) {
            t = Tensor.ones(1000);
            assertTrue(CpuStorage.liveScopedBytes() >= before + 4000);
        }
        assertEquals(before, CpuStorage.liveScopedBytes());
        var e = assertThrows(TensorFreedException.class, t::toArray);
        assertTrue(e.getMessage().contains("freed"), e.getMessage());
    }

    @Test
    void keepMovesATensorToTheParentScope() {
        try (Scope outer = Scope.open("outer")) {
            Tensor kept;
            try (Scope inner = Scope.open("inner")) {
                kept = inner.keep(Tensor.full(3f, 4));
            }
            assertArrayEquals(new float[] {3, 3, 3, 3}, kept.toArray());
            assertTrue(kept.storage().owner() == outer);
        }
    }

    @Test
    void nestedScopesMustCloseInnermostFirst() {
        Scope outer = Scope.open("outer");
        Scope inner = Scope.open("inner");
        assertThrows(IllegalStateException.class, outer::close);
        inner.close();
        outer.close();
        assertTrue(Scope.current() == null);
    }

    @Test
    void debugFlagRecordsWhereTheScopeWasClosed() throws Exception {
        var cmd = java.util.List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Disthmus.debug.memory=true", "-cp", System.getProperty("java.class.path"),
                UseAfterCloseReport.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("Scope 'step 7' closed here"), out);
        assertTrue(out.contains("UseAfterCloseReport.main"), out);
    }

    @Test
    void usingAFreedTensorInAnOpIsATypedError() {
        Tensor t;
        try (Scope s = Scope.open()) {
            t = Tensor.ones(3);
        }
        assertThrows(TensorFreedException.class, () -> t.add(1f));
        assertThrows(TensorFreedException.class, () -> Tensor.ones(3).add(t));
    }
}
