package dev.isthmus.nn.backend.cuda;

import dev.isthmus.cuda.RequiresGpu;
import dev.isthmus.nn.backend.Backends;
import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Dropout;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.metrics.Metrics;
import dev.isthmus.nn.model.Fit;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.DeviceStats;
import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code Fit.cudaGraphs(true)} on a GPU: the same weights as eager steps after 3 epochs (dropout,
 * Adam and a smaller last batch included), and replayed steps that read nothing back and submit
 * a few launches each instead of one per op. Written, not yet run on a GPU.
 */
@RequiresGpu
class CudaGraphFitTest {
    private static final Device CUDA = Device.cuda(0);

    @AfterEach
    void backToCpu() {
        Backends.setDefaultDevice("cpu");
    }

    private record Run(Map<String, float[]> weights, DeviceStats stats) {
    }

    private static Run train(boolean graphs) {
        Backends.setDefaultDevice("cuda");
        int n = 20 * 32 + 7; // 20 full batches and a last one of 7 per epoch
        Tensor x = Tensor.uniform(new int[] {n, 24}, -1, 1, 1);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (i * 5) % 4;
        }
        Tensor y = Tensor.of(CUDA, labels, n);
        try (Sequential m = new Sequential(new Dense(64, Activation.RELU), new Dropout(0.25f),
                new Dense(4, Activation.SOFTMAX)).seed(2)) {
            m.compile(new Adam(0.005f), Losses.sparseCategoricalCrossentropy(), Metrics.ACCURACY);
            CUDA.resetStats();
            m.fit(x, y, Fit.epochs(3).batchSize(32).verbose(0).seed(4).cudaGraphs(graphs));
            DeviceStats stats = CUDA.stats();
            Map<String, float[]> w = new LinkedHashMap<>();
            m.namedParameters().forEach((k, v) -> w.put(k, v.toArray()));
            return new Run(w, stats);
        }
    }

    @Test
    void graphedFitMatchesEagerFitAfterThreeEpochs() {
        Run eager = train(false);
        Run graphed = train(true);
        assertEquals(eager.weights().keySet(), graphed.weights().keySet());
        // the same kernels in the same order; cuBLAS may pick another algorithm once it has a workspace
        eager.weights().forEach((k, v) -> {
            float[] g = graphed.weights().get(k);
            for (int i = 0; i < v.length; i++) {
                assertEquals(v[i], g[i], 1e-5f * Math.max(1f, Math.abs(v[i])), k + "[" + i + "]");
            }
        });
    }

    @Test
    void replayedStepsReadNothingBackAndLaunchFarLess() {
        Run eager = train(false);
        Run graphed = train(true);
        // 3 epochs: each reads its totals once; the replays read nothing
        assertTrue(graphed.stats().hostReads() <= 3, "host reads with graphs: " + graphed.stats());
        // 63 steps: eagerly dozens of ops each; replayed, two uploads and one graph launch each
        assertTrue(graphed.stats().launches() * 4 < eager.stats().launches(),
                "launches eager " + eager.stats().launches() + ", with graphs " + graphed.stats().launches());
        assertArrayEquals(new long[] {eager.stats().hostReads()}, new long[] {graphed.stats().hostReads()},
                "the same reads either way");
    }
}
