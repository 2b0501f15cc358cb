package dev.isthmus.cuda;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** On a machine without the CUDA driver, the facade refuses with the search report instead of crashing. */
class NoDriverTest {

    @Test
    void facadeCallsExplainThatTheDriverIsMissing() {
        assumeFalse(CudaLibraries.system().isLoaded(CudaLibrary.DRIVER), "this machine has a CUDA driver");
        CudaUnavailableException e = assertThrows(CudaUnavailableException.class, CudaDevice::count);
        assertTrue(e.getMessage().contains("CUDA driver: not loaded; looked for libcuda.so.1"), e.getMessage());
        assertTrue(e.getMessage().contains("/usr/local/nvidia/lib64"), e.getMessage());
        assertThrows(CudaUnavailableException.class, () -> CudaContext.retainPrimary(0));
    }

    @Test
    void theReportSaysTheCpuBackendWillBeUsed() {
        assumeFalse(CudaLibraries.system().isLoaded(CudaLibrary.DRIVER), "this machine has a CUDA driver");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean usable = CudaReport.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(usable);
        assertTrue(text.contains("no CUDA driver: the CPU backend will be used"), text);
        assertTrue(text.contains("cuDNN: not loaded"), text);
    }
}
