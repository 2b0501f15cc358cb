package dev.isthmus.nn.backend.cuda;

import dev.isthmus.cuda.CublasHandle;
import dev.isthmus.cuda.CudaContext;
import dev.isthmus.cuda.CudaMemoryPool;
import dev.isthmus.cuda.CudaStream;
import dev.isthmus.cuda.CudnnConvolution2d;
import dev.isthmus.cuda.CudnnHandle;
import dev.isthmus.cuda.DeviceBuffer;
import dev.isthmus.cuda.RequiresGpu;
import dev.isthmus.nn.backend.Window2d;
import dev.isthmus.nn.tensor.Functional;
import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cuBLAS and cuDNN, called through the bindings' facade, agree with the CPU backend. */
@RequiresGpu
class CudaLibrariesAgainstCpuTest {
    private static CudaContext context;
    private static CudaStream stream;
    private static CudaMemoryPool pool;

    @BeforeAll
    static void open() {
        context = CudaContext.retainPrimary(0);
        stream = CudaStream.create(context);
        pool = CudaMemoryPool.defaultPool(context);
    }

    @AfterAll
    static void close() {
        if (stream != null) {
            stream.close();
        }
        if (context != null) {
            context.close();
        }
    }

    private static DeviceBuffer upload(float[] values) {
        DeviceBuffer buffer = DeviceBuffer.allocate(stream, 4L * values.length, pool);
        try (Arena arena = Arena.ofConfined()) {
            buffer.copyFromHost(arena.allocateFrom(ValueLayout.JAVA_FLOAT, values), 0);
            stream.synchronize();
        }
        return buffer;
    }

    private static float[] download(DeviceBuffer buffer) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(buffer.byteSize());
            buffer.copyToHost(0, host);
            stream.synchronize();
            return host.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    private static void assertClose(float[] expected, float[] actual, float tolerance) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            float scale = Math.max(1f, Math.abs(expected[i]));
            assertTrue(Math.abs(expected[i] - actual[i]) <= tolerance * scale,
                    "element " + i + ": expected " + expected[i] + " but was " + actual[i]);
        }
    }

    @Test
    void cublasSgemmMatchesTheCpuBackendForEveryTransposeCombination() {
        int m = 67;
        int n = 45;
        int k = 129;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Tensor a = Tensor.uniform(ta ? new int[] {k, m} : new int[] {m, k}, -1, 1, 1);
                Tensor b = Tensor.uniform(tb ? new int[] {n, k} : new int[] {k, n}, -1, 1, 2);
                Tensor expected = (ta ? a.transpose() : a).matmul(tb ? b.transpose() : b);
                try (CublasHandle cublas = CublasHandle.create(stream);
                     DeviceBuffer da = upload(a.toArray());
                     DeviceBuffer db = upload(b.toArray());
                     DeviceBuffer dc = DeviceBuffer.allocate(stream, 4L * m * n, pool)) {
                    cublas.gemm(ta, tb, m, n, k, 1f, da, db, 0f, dc);
                    assertClose(expected.toArray(), download(dc), 1e-4f);
                }
            }
        }
    }

    @Test
    void cudnnReportsVersionNine() {
        long version = CudnnHandle.version();
        assertTrue(version >= 90000 && version < 100000, "cuDNN " + version);
    }

    @Test
    void cudnnConvolutionForwardMatchesTheCpuBackend() {
        int n = 3, h = 13, w = 11, c = 5, f = 7;
        Tensor x = Tensor.uniform(new int[] {n, h, w, c}, -1, 1, 3);
        Tensor kernel = Tensor.uniform(new int[] {3, 3, c, f}, -1, 1, 4);
        Tensor expected = Functional.conv2d(x, kernel, 1, 1, Window2d.Padding.SAME);
        // cuDNN's NHWC filter is [f, kh, kw, c]; Keras's kernel is [kh, kw, c, f].
        float[] krsc = kernel.permute(3, 0, 1, 2).toArray();
        try (CudnnHandle cudnn = CudnnHandle.create(stream);
             CudnnConvolution2d conv = new CudnnConvolution2d(cudnn, n, h, w, c, f, 3, 3, 1, 1, 1, 1);
             DeviceBuffer dx = upload(x.toArray());
             DeviceBuffer dk = upload(krsc);
             DeviceBuffer dy = DeviceBuffer.allocate(stream, 4L * n * h * w * f, pool)) {
            assertArrayEquals(new int[] {n, h, w, f}, conv.outputShape());
            conv.prepare();
            try (DeviceBuffer workspace = DeviceBuffer.allocate(stream, conv.workspaceBytes(), pool)) {
                conv.forward(dx, dk, dy, workspace);
                assertClose(expected.toArray(), download(dy), 1e-4f);
            }
        }
    }
}
