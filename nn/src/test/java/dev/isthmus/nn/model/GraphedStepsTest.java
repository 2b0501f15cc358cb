package dev.isthmus.nn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.backend.Backend;
import dev.isthmus.nn.backend.Backends;
import dev.isthmus.nn.backend.CaptureViolationException;
import dev.isthmus.nn.backend.RecordingStepGraph;
import dev.isthmus.nn.backend.StepGraph;
import dev.isthmus.nn.backend.StepValues;
import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Dropout;
import dev.isthmus.nn.layers.Layer;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.metrics.Metrics;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.optim.Optimizer;
import dev.isthmus.nn.optim.SGD;
import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * CUDA-graph replay of training steps, checked on the CPU through the recording emulation
 * ({@link RecordingStepGraph}: a replay reruns the recorded primitives with the arguments they
 * were captured with, as a CUDA graph does). Every value that changes from step to step must
 * reach the replayed work through device memory, or the replayed run drifts from the eager one.
 */
class GraphedStepsTest {
    private static final Backend CPU = Backends.cpu();

    /** The emulation, counting captures, replays and closes. */
    private static final class CountingCapturer implements StepCapturer {
        int captures;
        int replays;
        int closes;

        @Override
        public StepGraph capture(Backend backend, Runnable step) {
            RecordingStepGraph g = RecordingStepGraph.capture(backend, step);
            captures++;
            assertTrue(g.recordedCalls() > 0, "the capture recorded the step's primitives");
            return new StepGraph() {
                @Override
                public void replay() {
                    replays++;
                    g.replay();
                }

                @Override
                public void close() {
                    closes++;
                    g.close();
                }
            };
        }
    }

    private static Sequential model() {
        return new Sequential(new Dense(16, Activation.RELU), new Dropout(0.3f), new Dense(8, Activation.TANH),
                new Dropout(0.2f, 99), new Dense(3, Activation.SOFTMAX)).seed(5);
    }

    private static Map<String, int[]> weightBits(Sequential m) {
        Map<String, int[]> bits = new LinkedHashMap<>();
        m.namedParameters().forEach((k, v) -> {
            float[] f = v.toArray();
            int[] b = new int[f.length];
            for (int i = 0; i < f.length; i++) {
                b[i] = Float.floatToRawIntBits(f[i]);
            }
            bits.put(k, b);
        });
        return bits;
    }

    /** 85 samples in batches of 8: 10 full batches and a last one of 5 in each epoch. */
    private static Tensor[] data() {
        int n = 85;
        Tensor x = Tensor.uniform(new int[] {n, 6}, -1, 1, 11);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (i * 7) % 3;
        }
        return new Tensor[] {x, Tensor.of(labels, n)};
    }

    private record Run(Map<String, int[]> weights, List<Double> losses, List<Double> accuracy) {
    }

    private static Run train(Fit fit) {
        return train(fit, () -> new Adam(0.01f));
    }

    private static Run train(Fit fit, java.util.function.Supplier<Optimizer> optimizer) {
        Tensor[] d = data();
        try (Sequential m = model()) {
            m.compile(optimizer.get(), Losses.sparseCategoricalCrossentropy(), Metrics.ACCURACY);
            History h = m.fit(d[0], d[1], fit);
            return new Run(weightBits(m), h.get("loss"), h.get("accuracy"));
        }
    }

    private static Fit threeEpochs() {
        return Fit.epochs(3).batchSize(8).verbose(0).seed(3);
    }

    @Test
    void replayedStepsGiveBitIdenticalWeightsToEagerStepsWithDropoutAdamAndASmallerLastBatch() {
        Run eager = train(threeEpochs());
        CountingCapturer capturer = new CountingCapturer();
        Device.CPU.resetStats();
        Run replayed = train(threeEpochs().cudaGraphs(true).stepCapturer(capturer));
        long hostReads = Device.CPU.stats().hostReads();

        assertEquals(1, capturer.captures, "one capture, after the warm-up step");
        // epoch 1: warm-up, then the captured step and 8 more full batches; epochs 2 and 3: 10 each
        assertEquals(9 + 10 + 10, capturer.replays);
        assertEquals(1, capturer.closes, "the graph is closed with the fit");
        assertEquals(eager.weights().keySet(), replayed.weights().keySet());
        eager.weights().forEach((k, v) -> assertArrayEquals(v, replayed.weights().get(k), "weights of " + k));
        assertEquals(eager.losses(), replayed.losses());
        assertEquals(eager.accuracy(), replayed.accuracy());
        // the fit's reads: each epoch's totals once, and the weights read above (10 tensors)
        assertTrue(hostReads <= 3 + 10, "host reads: " + hostReads);
    }

    @Test
    void perStepSchedulesAndEveryOptimizerReplayBitIdenticallyFromOneCapture() {
        List<java.util.function.Supplier<Optimizer>> optimizers = List.of(
                () -> new SGD(new dev.isthmus.nn.optim.ExponentialDecay(0.1f, 3, 0.8f), 0.9f, true),
                () -> new dev.isthmus.nn.optim.RMSprop(new dev.isthmus.nn.optim.CosineDecay(0.001f, 20, 0f, 0.01f, 5),
                        0.9f, 0.5f, 1e-7f, true).clipValue(0.5f),
                () -> new dev.isthmus.nn.optim.AdamW(new dev.isthmus.nn.optim.PiecewiseConstantDecay(new long[] {4, 12},
                        new float[] {0.01f, 0.005f, 0.001f}), 0.01f).globalClipNorm(0.5f),
                () -> new Adam(new dev.isthmus.nn.optim.ExponentialDecay(0.01f, 2, 0.9f)).clipNorm(0.3f));
        for (var optimizer : optimizers) {
            Run eager = train(threeEpochs(), optimizer);
            CountingCapturer capturer = new CountingCapturer();
            Run replayed = train(threeEpochs().cudaGraphs(true).stepCapturer(capturer), optimizer);
            String what = optimizer.get().toString();
            assertEquals(1, capturer.captures, "a rate that changes every step keeps the graph: " + what);
            assertEquals(9 + 10 + 10, capturer.replays, what);
            eager.weights().forEach((k, v) -> assertArrayEquals(v, replayed.weights().get(k), "weights of " + k + ", " + what));
            assertEquals(eager.losses(), replayed.losses(), what);
        }
    }

    @Test
    void theEmulationReplaysAByValueSeedAsCapturedAndACellSeedAsWritten() {
        // The control that makes the test above meaningful: a seed passed by value is baked into
        // the record, exactly as a kernel argument is baked into a CUDA graph.
        long[] seed = {1};
        try (Scope s = Scope.open()) {
            Tensor out = Tensor.empty(Device.CPU, 4);
            StepValues values = new StepValues(Device.CPU, 4, s);
            try (RecordingStepGraph byValue = RecordingStepGraph.capture(CPU,
                         () -> out.copyFrom(Tensor.uniform(new int[] {4}, 0, 1, seed[0]++)));
                 StepValues.Active ignored = values.enter()) {
                byValue.replay();
                float[] first = out.toArray();
                byValue.replay();
                assertArrayEquals(first, out.toArray(), "a by-value seed replays as captured");

                values.int64("seed", () -> seed[0]++);
                values.beginStep(); // rewinds to the first value; the capture then finds the seed's cell
                try (RecordingStepGraph byCell = RecordingStepGraph.capture(CPU,
                        () -> out.copyFrom(Tensor.uniform(new int[] {4}, 0, 1, values.int64("seed", () -> 0))))) {
                    values.beginStep();
                    byCell.replay();
                    float[] a = out.toArray();
                    values.beginStep();
                    byCell.replay();
                    assertFalse(java.util.Arrays.equals(a, out.toArray()), "a seed in a cell replays as last written");
                    try (Scope check = Scope.open()) {
                        assertArrayEquals(Tensor.uniform(new int[] {4}, 0, 1, seed[0] - 1).toArray(), out.toArray());
                    }
                }
            }
        }
    }

    @Test
    void onTheCpuBackendCudaGraphsIsANoOpWithIdenticalResults() {
        Run eager = train(threeEpochs());
        Run graphs = train(threeEpochs().cudaGraphs(true));
        eager.weights().forEach((k, v) -> assertArrayEquals(v, graphs.weights().get(k), "weights of " + k));
        assertEquals(eager.losses(), graphs.losses());
    }

    /** A layer that reads its input back to the host: fine eagerly, not replayable. */
    private static final class HostReading extends Layer {
        @Override
        public int[] computeOutputShape(int[] inputShape) {
            return inputShape;
        }

        @Override
        protected Tensor forward(Tensor x, boolean training) {
            if (x.sum().item() > Float.MAX_VALUE) {
                throw new AssertionError();
            }
            return x;
        }

        @Override
        public Map<String, Object> config() {
            return Map.of();
        }
    }

    @Test
    void aHostReadInsideTheCaptureRaisesNamingTheOperation() {
        Tensor[] d = data();
        try (Sequential m = new Sequential(new Dense(4), new HostReading(), new Dense(3, Activation.SOFTMAX))) {
            m.compile(new Adam(), Losses.sparseCategoricalCrossentropy());
            m.fit(d[0], d[1], Fit.epochs(1).batchSize(8).verbose(0)); // eagerly the layer is fine
            var e = assertThrows(CaptureViolationException.class, () -> m.fit(d[0], d[1],
                    Fit.epochs(1).batchSize(8).verbose(0).cudaGraphs(true).stepCapturer(new CountingCapturer())));
            assertTrue(e.operation().contains("item()"), e.getMessage());
            assertTrue(e.getMessage().contains("cudaGraphs(false)"), e.getMessage());
        }
        try (Scope s = Scope.open()) {
            var upload = assertThrows(CaptureViolationException.class,
                    () -> RecordingStepGraph.capture(CPU, () -> Tensor.of(Device.CPU, new float[] {1, 2}, 2)));
            assertTrue(upload.operation().contains("copyFromHost"), upload.getMessage());
            var sync = assertThrows(CaptureViolationException.class, () -> RecordingStepGraph.capture(CPU,
                    () -> Backends.of(Device.CPU).synchronize()));
            assertEquals("synchronize", sync.operation());
        }
    }

    // ------------------------------------------------------------------ invalidation

    /** A step that adds one loss row: the least GraphedSteps needs. */
    private static Consumer<Tensor> body(BatchTotals totals, List<Integer> eagerRuns) {
        return index -> {
            eagerRuns.add(index.size(0));
            totals.add(index.cast(DType.FLOAT32).mean(), index.size(0), null, null);
        };
    }

    @Test
    void theGraphIsRecapturedWhenTheOptimizerOrTheParametersChange() {
        int[] order = new int[40];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        try (Scope fitScope = Scope.independent("test fit")) {
            List<Tensor> params = List.of(Tensor.zeros(fitScope, Device.CPU, 3));
            Optimizer sgd = new SGD(0.1f);
            BatchTotals totals = new BatchTotals(Device.CPU, 40, List.of(), fitScope);
            List<Integer> runs = new ArrayList<>();
            CountingCapturer capturer = new CountingCapturer();
            try (GraphedSteps steps = new GraphedSteps(Device.CPU, 4, fitScope, capturer)) {
                GraphedSteps.Key key = GraphedSteps.Key.of(sgd, params);
                for (int i = 0; i < 4; i++) {
                    steps.step(order, 4 * i, 4 * i + 4, GraphedSteps.Key.of(sgd, params), body(totals, runs), totals);
                }
                assertEquals(1, steps.captures());
                assertEquals(3, steps.replays());
                assertEquals(2, runs.size(), "the warm-up ran, the capture recorded; the replays ran no Java step");
                // the last, smaller batch: eager, the graph untouched
                steps.step(order, 16, 18, key, body(totals, runs), totals);
                assertEquals(List.of(4, 4, 2), runs);
                assertEquals(0, steps.invalidations());

                steps.step(order, 20, 24, GraphedSteps.Key.of(new SGD(0.1f), params), body(totals, runs), totals);
                assertEquals(1, steps.invalidations(), "another optimizer");
                assertEquals(1, capturer.closes);
                assertEquals(1, steps.captures(), "the step after an invalidation warms up again");
                steps.step(order, 24, 28, GraphedSteps.Key.of(new SGD(0.1f), params), body(totals, runs), totals);
                assertEquals(1, steps.captures(), "a new optimizer object each step never keeps a graph");

                Optimizer kept = new SGD(0.5f);
                steps.step(order, 28, 32, GraphedSteps.Key.of(kept, params), body(totals, runs), totals);
                steps.step(order, 32, 36, GraphedSteps.Key.of(kept, params), body(totals, runs), totals);
                assertEquals(2, steps.captures());
                assertTrue(GraphedSteps.Key.of(kept, params).sameAs(GraphedSteps.Key.of(kept, params)));
                assertFalse(GraphedSteps.Key.of(kept, params).sameAs(GraphedSteps.Key.of(new SGD(0.5f), params)),
                        "another optimizer at the same rate");
                GraphedSteps.Key atHalf = GraphedSteps.Key.of(kept, params);
                kept.setLearningRate(0.25f);
                assertTrue(atHalf.sameAs(GraphedSteps.Key.of(kept, params)), "a new rate reaches the graph through a step value");
                assertFalse(GraphedSteps.Key.of(kept, params).sameAs(
                        GraphedSteps.Key.of(kept, List.of(Tensor.zeros(fitScope, Device.CPU, 3)))), "other parameters");
                GraphedSteps.Key before = GraphedSteps.Key.of(kept, params);
                try (Scope moved = Scope.independent("moved")) {
                    moved.adopt(params.get(0));
                    assertFalse(before.sameAs(GraphedSteps.Key.of(kept, params)), "a parameter moved to new memory");
                    steps.step(order, 36, 40, GraphedSteps.Key.of(kept, params), body(totals, runs), totals);
                    assertEquals(2, steps.invalidations());
                }
                steps.step(order, 0, 4, GraphedSteps.Key.of(kept, params), body(totals, runs), totals);
                assertEquals(3, steps.captures());
            }
            assertEquals(3, capturer.closes, "closing the steps closes the live graph");
        }
    }

    @Test
    void stepValuesMustComeInTheSameOrderEachStep() {
        try (Scope s = Scope.open()) {
            StepValues values = new StepValues(Device.CPU, 2, s);
            values.int64("a", () -> 1);
            values.int32("b", () -> 2);
            values.beginStep();
            var e = assertThrows(IllegalStateException.class, () -> values.int32("b", () -> 2));
            assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains("'a'"), e.getMessage());
            values.beginStep();
            values.int64("a", () -> 1);
            values.int32("b", () -> 2);
            assertThrows(IllegalStateException.class, () -> values.int64("c", () -> 3), "past its capacity");
        }
    }
}
