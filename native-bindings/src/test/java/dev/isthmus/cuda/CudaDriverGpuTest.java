package dev.isthmus.cuda;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@RequiresGpu
class CudaDriverGpuTest {
    private static GpuSession gpu;

    @BeforeAll
    static void open() {
        gpu = GpuSession.open();
    }

    @AfterAll
    static void close() {
        if (gpu != null) {
            gpu.close();
        }
    }

    private static float[] ramp(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i * 0.5f - 7f;
        }
        return a;
    }

    @Test
    void deviceQueryDescribesARealDevice() {
        CudaDevice device = gpu.context().device();
        assertFalse(device.name().isBlank());
        assertTrue(device.totalMemoryBytes() > 1L << 30, device.toString());
        assertTrue(device.computeMajor() >= 7, device.toString());
        assertTrue(device.multiprocessors() > 0, device.toString());
        assertTrue(CudaDevice.driverVersion() >= 12000, "driver " + CudaDevice.driverVersion());
        long[] mem = gpu.context().memoryInfo();
        assertTrue(mem[0] > 0 && mem[0] <= mem[1]);
    }

    @Test
    void hostToDeviceToDeviceToHostRoundTrip() {
        float[] values = ramp(1 << 18);
        try (DeviceBuffer a = gpu.upload(values);
             DeviceBuffer b = DeviceBuffer.allocate(gpu.stream(), a.byteSize(), gpu.pool())) {
            b.copyFrom(a, 0, 0, a.byteSize());
            assertArrayEquals(values, gpu.download(b, values.length));
            b.view(4, 8).fill32(Float.floatToRawIntBits(3f));
            float[] back = gpu.download(b, values.length);
            assertEquals(values[0], back[0]);
            assertEquals(3f, back[1]);
            assertEquals(3f, back[2]);
            assertEquals(values[3], back[3]);
            assertThrows(IndexOutOfBoundsException.class, () -> b.view(a.byteSize() - 4, 8));
        }
    }

    @Test
    void eventsTimeWorkOnTheStream() {
        try (DeviceBuffer big = DeviceBuffer.allocate(gpu.stream(), 256L << 20, gpu.pool());
             CudaEvent start = CudaEvent.create(gpu.context());
             CudaEvent end = CudaEvent.create(gpu.context())) {
            start.record(gpu.stream());
            for (int i = 0; i < 10; i++) {
                big.clear();
            }
            end.record(gpu.stream());
            end.synchronize();
            float ms = end.millisSince(start);
            assertTrue(ms > 0 && ms < 10_000, ms + " ms");
        }
    }

    @Test
    void freedMemoryIsReusedByThePool() {
        for (int i = 0; i < 1000; i++) {
            try (DeviceBuffer b = DeviceBuffer.allocate(gpu.stream(), 1 << 20, gpu.pool())) {
                b.clear();
            }
        }
        gpu.stream().synchronize();
        long reserved = gpu.pool().reservedBytes();
        for (int i = 0; i < 1000; i++) {
            try (DeviceBuffer b = DeviceBuffer.allocate(gpu.stream(), 1 << 20, gpu.pool())) {
                b.clear();
            }
        }
        gpu.stream().synchronize();
        assertEquals(reserved, gpu.pool().reservedBytes(), gpu.pool().describe());
        assertEquals(0, gpu.pool().usedBytes(), gpu.pool().describe());
    }

    @Test
    void outOfMemoryNamesTheRequestAndLeavesTheStreamUsable() {
        long huge = 1L << 50;
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
                () -> DeviceBuffer.allocate(gpu.stream(), huge, gpu.pool()));
        assertTrue(e.getMessage().contains(Long.toString(huge)), e.getMessage());
        assertTrue(e.getMessage().contains("pool:"), e.getMessage());
        try (DeviceBuffer small = gpu.upload(new float[] {1, 2, 3})) {
            assertArrayEquals(new float[] {1, 2, 3}, gpu.download(small, 3));
        }
    }

    private static String testPtx() throws IOException {
        try (InputStream in = CudaDriverGpuTest.class.getResourceAsStream("add_scalar.ptx")) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void ptxLoadsAndItsKernelRunsWithAnOccupancySizedLaunch() throws IOException {
        int n = 100_003;
        float[] values = ramp(n);
        try (CudaModule module = CudaModule.loadPtx(gpu.context(), "add_scalar.ptx", testPtx());
             DeviceBuffer data = gpu.upload(values);
             KernelArguments args = new KernelArguments()) {
            CudaFunction add = module.function("add_scalar");
            int block = add.suggestedBlockSize();
            assertTrue(block >= 32 && block <= 1024, "block " + block);
            add.launch(gpu.stream(), (n + block - 1) / block, block, args.pointer(data).f32(2.5f).i32(n));
            float[] back = gpu.download(data, n);
            for (int i = 0; i < n; i++) {
                assertEquals(values[i] + 2.5f, back[i], 0f, "element " + i);
            }
        }
    }

    @Test
    void brokenPtxFailsWithTheJitLog() {
        KernelLoadException e = assertThrows(KernelLoadException.class, () -> CudaModule.loadPtx(gpu.context(), "broken.ptx",
                ".version 7.8\n.target sm_80\n.address_size 64\n.visible .entry k() { bogus.instruction; }\n"));
        assertTrue(e.getMessage().contains("broken.ptx"), e.getMessage());
    }

    @Test
    void aCapturedGraphReplaysItsKernels() throws IOException {
        int n = 4096;
        try (CudaModule module = CudaModule.loadPtx(gpu.context(), "add_scalar.ptx", testPtx());
             DeviceBuffer data = gpu.upload(new float[n]);
             KernelArguments args = new KernelArguments()) {
            CudaFunction add = module.function("add_scalar");
            args.pointer(data).f32(1f).i32(n);
            try (CudaGraph graph = CudaGraph.capture(gpu.stream(), () -> {
                add.launch(gpu.stream(), (n + 255) / 256, 256, args);
                add.launch(gpu.stream(), (n + 255) / 256, 256, args);
            })) {
                assertEquals(0f, gpu.download(data, n)[7], "capture does not run the work");
                for (int i = 0; i < 3; i++) {
                    graph.launch(gpu.stream());
                }
                float[] back = gpu.download(data, n);
                assertEquals(6f, back[0]);
                assertEquals(6f, back[n - 1]);
            }
        }
    }
}
