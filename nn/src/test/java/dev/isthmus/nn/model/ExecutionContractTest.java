package dev.isthmus.nn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Embedding;
import dev.isthmus.nn.layers.GlobalAveragePooling1D;
import dev.isthmus.nn.layers.MultiHeadAttention;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.metrics.Metrics;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.DeviceStats;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The execution contract, checked through {@link Device#stats()} on the CPU (the CUDA backend
 * counts the same events): a training step never reads a value back to the host.
 */
class ExecutionContractTest {
    private static int[] ids(int n, int t, int vocabulary) {
        int[] v = new int[n * t];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 7 == 0 ? 0 : 1 + (i * 31) % (vocabulary - 1); // zeros: padding for the mask
        }
        return v;
    }

    @Test
    void threeEpochsOfFiftyStepsReadTheHostAtMostTwicePerEpoch() {
        Device device = Device.CPU;
        int n = 50 * 8;
        Tensor x = Tensor.of(ids(n, 6, 40), n, 6);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
        }
        Tensor y = Tensor.of(labels, n);
        try (var model = new Sequential(new Embedding(40, 8, true), new MultiHeadAttention(2, 4),
                new GlobalAveragePooling1D(), new Dense(3, Activation.SOFTMAX)).seed(1)) {
            model.compile(new Adam(0.01f), Losses.sparseCategoricalCrossentropy(), Metrics.ACCURACY);
            device.resetStats();
            History h = model.fit(x, y, Fit.epochs(3).batchSize(8).verbose(0));
            DeviceStats stats = device.stats();
            assertEquals(3, h.get("loss").size());
            assertTrue(stats.hostReads() <= 2 * 3, "host reads in 3 epochs of 50 steps: " + stats);
            assertTrue(stats.hostReads() >= 3, "each epoch reads its totals once: " + stats);
        }
    }

    @Test
    void evaluateReadsTheHostOnceAndReportsTheMeans() {
        Tensor x = Tensor.uniform(new int[] {100, 4}, -1, 1, 1);
        Tensor y = Tensor.uniform(new int[] {100, 1}, -1, 1, 2);
        try (var model = new Sequential(new Dense(1)).seed(3)) {
            model.compile(new Adam(), Losses.mse(), Metrics.MAE, Metrics.MSE);
            model.build(4);
            double expectedMse;
            try (Scope s = Scope.open()) {
                expectedMse = model.predict(x).sub(y).square().mean().item();
            }
            Device.CPU.resetStats();
            var values = model.evaluate(x, y, 7);
            assertEquals(1, Device.CPU.stats().hostReads(), Device.CPU.stats().toString());
            assertEquals(expectedMse, values.get("loss"), 1e-5);
            assertEquals(expectedMse, values.get("mse"), 1e-5);
        }
    }

    @Test
    void statsCountAllocationsBytesAndThePeak() {
        Device.CPU.resetStats();
        long inUse = Device.CPU.stats().bytesInUse();
        DeviceStats during;
        try (Scope s = Scope.open()) {
            Tensor.zeros(1000);
            Tensor.zeros(500);
            during = Device.CPU.stats();
            assertEquals(2, during.allocations());
            assertEquals(6000, during.bytesAllocated());
            // the garbage collector may free earlier tensors meanwhile, never add any
            assertTrue(during.bytesInUse() <= inUse + 6000, during.toString());
            assertTrue(during.peakBytesInUse() >= during.bytesInUse(), during.toString());
        }
        DeviceStats after = Device.CPU.stats();
        assertTrue(after.bytesInUse() <= during.bytesInUse() - 6000, "the scope's close frees its 6000 bytes: " + after);
        Tensor.of(new float[] {1, 2}).toArray();
        assertEquals(1, Device.CPU.stats().hostReads());
    }
}
