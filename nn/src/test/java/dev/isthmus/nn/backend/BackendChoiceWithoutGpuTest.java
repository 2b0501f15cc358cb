package dev.isthmus.nn.backend;

import dev.isthmus.cuda.CudaLibraries;
import dev.isthmus.cuda.CudaLibrary;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Where no CUDA driver loads, asking for CUDA fails with the reason and "auto" falls back to the CPU. */
class BackendChoiceWithoutGpuTest {

    @BeforeEach
    void noDriverHere() {
        assumeFalse(CudaLibraries.system().isLoaded(CudaLibrary.DRIVER), "this machine has a CUDA driver");
    }

    @Test
    void askingForCudaNamesWhatIsMissing() {
        String missing = Backends.cudaMissing();
        assertNotNull(missing);
        assertTrue(missing.startsWith("CUDA driver not found"), missing);
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.of(Device.cuda(0)));
        assertTrue(e.getMessage().contains("no CUDA backend for cuda:0: CUDA driver not found"), e.getMessage());
        assertThrows(BackendUnavailableException.class, () -> Tensor.of(new float[] {1, 2}, 2).to(Device.cuda(0)));
    }

    @Test
    void automaticChoiceFallsBackToTheCpuAndSaysWhy() {
        Device before = Backends.defaultDevice();
        try {
            Backends.setDefaultDevice("auto");
            assertEquals(Device.CPU, Backends.defaultDevice());
            assertTrue(Backends.defaultDeviceReason().contains("CUDA driver not found"), Backends.defaultDeviceReason());
        } finally {
            Backends.setDefaultDevice(before.toString());
        }
    }
}
