package dev.isthmus.nn.backend.cuda;

import dev.isthmus.cuda.CublasHandle;
import dev.isthmus.cuda.CudnnConvolution2d;
import dev.isthmus.cuda.CudnnHandle;
import dev.isthmus.cuda.DeviceBuffer;
import dev.isthmus.cuda.GpuSession;
import dev.isthmus.cuda.Precision;
import dev.isthmus.cuda.RequiresGpu;
import dev.isthmus.cuda.cudnn.Cudnn;
import dev.isthmus.nn.backend.Window2d;
import dev.isthmus.nn.tensor.Functional;
import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cuBLAS and cuDNN, called through the bindings' facade, agree with the CPU backend. */
@RequiresGpu
class CudaLibrariesAgainstCpuTest {
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
                try (CublasHandle cublas = CublasHandle.create(gpu.stream());
                     DeviceBuffer da = gpu.upload(a.toArray());
                     DeviceBuffer db = gpu.upload(b.toArray());
                     DeviceBuffer dc = DeviceBuffer.allocate(gpu.stream(), 4L * m * n, gpu.pool())) {
                    cublas.gemm(ta, tb, m, n, k, 1f, da, db, 0f, dc);
                    assertClose(expected.toArray(), gpu.download(dc), 1e-4f);
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
        try (CudnnHandle cudnn = CudnnHandle.create(gpu.stream());
             CudnnConvolution2d conv = new CudnnConvolution2d(cudnn, Precision.FP32, n, h, w, c, f, 3, 3, 1, 1, 1, 1);
             DeviceBuffer dx = gpu.upload(x.toArray());
             DeviceBuffer dk = gpu.upload(krsc);
             DeviceBuffer dy = DeviceBuffer.allocate(gpu.stream(), 4L * n * h * w * f, gpu.pool())) {
            assertArrayEquals(new int[] {n, h, w, f}, conv.outputShape());
            conv.prepare(bytes -> DeviceBuffer.allocate(gpu.stream(), bytes, gpu.pool()));
            for (int mathType : conv.mathTypes()) {
                assertEquals(Cudnn.CUDNN_FMA_MATH(), mathType, "FP32 runs every direction with FMA math only");
            }
            try (DeviceBuffer workspace = DeviceBuffer.allocate(gpu.stream(), conv.workspaceBytes(), gpu.pool())) {
                conv.forward(dx, dk, dy, workspace);
                assertClose(expected.toArray(), gpu.download(dy), 1e-4f);
            }
        }
    }
}
