package dev.isthmus.nn.backend.cuda;

import dev.isthmus.cuda.RequiresGpu;
import dev.isthmus.nn.backend.Backends;
import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.nn.testkit.BackendParity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CUDA paths that only large sizes reach, against the CPU: reductions split over many blocks
 * (two passes), softmax rows longer than a block, odd GEMM sizes, copies larger than the pinned
 * staging both ways; and device memory: allocations that succeed only once GC-pending memory is
 * released, predict freeing each batch's intermediates.
 */
@RequiresGpu
class CudaScaleAndMemoryTest {
    private static final Device CUDA = Device.cuda(0);
    /** Sums of up to a million floats in different orders: the CPU adds in double too, so 1e-5 of the magnitude. */
    private static final BackendParity LARGE = BackendParity.standard().withTolerance(1e-3, 1e-5);

    @AfterEach
    void backToCpu() {
        Backends.setDefaultDevice("cpu");
    }

    private static void parity(String name, java.util.function.Function<List<Tensor>, Tensor> f, Tensor... inputs) {
        LARGE.check(name, CUDA, f, inputs);
    }

    @Test
    void conv2dBiasColumnSumsOver43264RowsMatchTheCpu() {
        parity("sum over 43,264 x 32 rows", in -> in.get(0).sum(0), Tensor.uniform(new int[] {43_264, 32}, -1, 1, 1));
        parity("bias gradient of [1, 208, 208, 32]", in -> in.get(0).sum(0, 1, 2),
                Tensor.uniform(new int[] {1, 208, 208, 32}, -1, 1, 2));
    }

    @Test
    void leadingAxisSumsAndMeansOverMoreThan100kRowsMatchTheCpu() {
        Tensor x = Tensor.uniform(new int[] {100_003, 7}, -1, 1, 3);
        parity("sum over 100,003 rows", in -> in.get(0).sum(0), x);
        parity("mean over 100,003 rows", in -> in.get(0).mean(0), x);
        parity("sum over 200,000 rows of 300", in -> in.get(0).sum(0), Tensor.uniform(new int[] {200_000, 300}, -1, 1, 4));
    }

    @Test
    void allAxisReductionsOverMoreThanAMillionElementsMatchTheCpu() {
        Tensor x = Tensor.uniform(new int[] {(1 << 20) + 3}, -1, 1, 5);
        parity("sum of 2^20 + 3", in -> in.get(0).sum(), x);
        parity("mean of 2^20 + 3", in -> in.get(0).mean(), x);
        parity("max of 2^20 + 3", in -> in.get(0).max(), x);
        parity("sum over the last axis of [3, 500,001]", in -> in.get(0).sum(1),
                Tensor.uniform(new int[] {3, 500_001}, -1, 1, 6));
        parity("max over the last axis of [3, 500,001]", in -> in.get(0).max(1),
                Tensor.uniform(new int[] {3, 500_001}, -1, 1, 7));
    }

    @Test
    void twoPassReductionsGiveTheSameBitsEveryRun() {
        Tensor x = Tensor.uniform(new int[] {1 << 21}, -1, 1, 8).to(CUDA);
        Tensor rows = Tensor.uniform(new int[] {100_000, 32}, -1, 1, 9).to(CUDA);
        float sum = x.sum().item();
        float[] columns = rows.sum(0).toArray();
        for (int i = 0; i < 5; i++) {
            assertEquals(Float.floatToRawIntBits(sum), Float.floatToRawIntBits(x.sum().item()));
            assertArrayEquals(columns, rows.sum(0).toArray());
        }
    }

    @Test
    void softmaxRowsOfNineThousandMatchTheCpu() {
        Tensor x = Tensor.uniform(new int[] {5, 9_001}, -4, 4, 10);
        // probabilities near 1/9001: an absolute tolerance of the usual size would pass anything
        BackendParity relative = BackendParity.standard().withTolerance(1e-9, 1e-4);
        relative.check("softmax of 9,001", CUDA, in -> in.get(0).softmax(-1), x);
        relative.check("log-softmax of 9,001", CUDA, in -> in.get(0).logSoftmax(-1), x);
    }

    @Test
    void gemmsOfOddSizesMatchTheCpu() {
        parity("[257, 129] x [129, 67]", in -> in.get(0).matmul(in.get(1)),
                Tensor.uniform(new int[] {257, 129}, -1, 1, 11), Tensor.uniform(new int[] {129, 67}, -1, 1, 12));
        parity("[3, 1, 1023] x [1023, 5]", in -> in.get(0).matmul(in.get(1)),
                Tensor.uniform(new int[] {3, 1, 1023}, -1, 1, 13), Tensor.uniform(new int[] {1023, 5}, -1, 1, 14));
    }

    @Test
    void copiesLargerThanTheStagingAndManySmallOnesArriveIntact() {
        // 80 MB: up through the two 8 MiB upload slots, down in 64 MiB pieces
        float[] big = Tensor.uniform(new int[] {20_000_003}, -1, 1, 15).toArray();
        assertArrayEquals(big, Tensor.of(CUDA, big, big.length).toArray());
        try (Scope s = Scope.open()) {
            Tensor[] small = new Tensor[100];
            for (int i = 0; i < small.length; i++) {
                small[i] = Tensor.of(CUDA, new float[] {i, -i, i * 0.5f}, 3);
            }
            for (int i = 0; i < small.length; i++) {
                assertArrayEquals(new float[] {i, -i, i * 0.5f}, small[i].toArray(), "upload " + i);
            }
        }
    }

    @Test
    void allocationsPastDeviceMemoryFirstReleaseWhatTheCollectorWouldFree() {
        // 300 GiB of unreachable 1 GiB tensors, more than any GPU holds; the Java heap barely grows,
        // so only the out-of-memory retry runs the collector in time.
        for (int i = 0; i < 300; i++) {
            Tensor.zeros(null, CUDA, 1 << 18, 1 << 10);
        }
        Tensor t = Tensor.of(CUDA, new float[] {1, 2, 3}, 3);
        assertEquals(6f, t.sum().item());
    }

    @Test
    void predictOnTheGpuLeavesOnlyItsOutputsLive() {
        Backends.setDefaultDevice("cuda");
        try (var model = new Sequential(new Dense(256, Activation.RELU), new Dense(3)).seed(1)) {
            Tensor x = Tensor.uniform(new int[] {1000, 64}, -1, 1, 2).to(CUDA);
            model.predict(x, 100);
            try (Scope caller = Scope.open()) {
                long before = CudaBackend.liveBytes();
                Tensor y = model.predict(x, 100);
                // at most: GC-managed tensors of earlier tests may be collected meanwhile
                assertTrue(CudaBackend.liveBytes() <= before + y.storage().byteSize(),
                        CudaBackend.liveBytes() - before + " bytes left live for a " + y.storage().byteSize()
                                + "-byte output");
            }
        }
    }
}
