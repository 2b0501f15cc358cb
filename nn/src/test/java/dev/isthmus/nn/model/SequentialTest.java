package dev.isthmus.nn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.backend.cpu.CpuBackend;
import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Dropout;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.metrics.Metrics;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.CpuStorage;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.IndexOutOfRangeException;
import dev.isthmus.nn.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SequentialTest {

    /** The seed program: 10 → Dense(10, relu) → Dense(1), Adam(0.01), MSE to ones, random batches of 10. */
    private static float[] seedProgram(Sequential model, Adam opt, int steps) {
        var loss = Losses.mse();
        float first = 0;
        float last = 0;
        for (int step = 0; step < steps; step++) {
            try (Scope ignored = Scope.open()) {
                Tensor x = Tensor.normal(new int[] {10, 10}, 0f, 1f, 1000 + step);
                Tensor l = loss.compute(Tensor.ones(10, 1), model.forward(x, true));
                last = l.item();
                if (step == 0) {
                    first = last;
                }
                opt.zeroGrad(model.parameters());
                l.backward();
                opt.step(model.parameters());
            }
        }
        return new float[] {first, last};
    }

    @Test
    void seedMlpConvergesBelowOneThousandth() {
        try (var model = new Sequential(new Dense(10, Activation.RELU), new Dense(1)).seed(3)) {
            float[] losses = seedProgram(model, new Adam(0.01f), 1000);
            assertTrue(losses[0] > 0.1f, "initial loss " + losses[0]);
            assertTrue(losses[1] < 1e-3f, "final loss " + losses[1]);
        }
    }

    @Test
    void liveNativeBytesReturnToBaselineAcrossOneThousandSteps() {
        long before = CpuStorage.liveScopedBytes();
        try (var model = new Sequential(new Dense(10, Activation.RELU), new Dense(1)).seed(4)) {
            var opt = new Adam(0.01f);
            seedProgram(model, opt, 1);
            long afterFirstStep = CpuStorage.liveScopedBytes(); // parameters, gradients, Adam moments
            seedProgram(model, opt, 1000);
            assertEquals(afterFirstStep, CpuStorage.liveScopedBytes());
        }
        assertEquals(before, CpuStorage.liveScopedBytes());
    }

    private static Tensor[] blobs(int n, long seed) {
        Tensor x = Tensor.normal(new int[] {n, 4}, 0f, 1f, seed);
        float[] xv = x.toArray();
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = xv[i * 4] + xv[i * 4 + 1] > 0 ? (xv[i * 4 + 2] > 0 ? 2 : 1) : 0;
        }
        return new Tensor[] {x, Tensor.of(y, n)};
    }

    @Test
    void fitLearnsAClassificationTaskAndReportsHistory() {
        Tensor[] d = blobs(600, 5);
        try (var model = new Sequential(new Dense(32, Activation.RELU), new Dropout(0.1f), new Dense(3, Activation.SOFTMAX)).seed(1)) {
            model.compile(new Adam(0.01f), Losses.sparseCategoricalCrossentropy(), Metrics.ACCURACY);
            var out = new ByteArrayOutputStream();
            History h = model.fit(d[0], d[1], Fit.epochs(15).batchSize(32).validationSplit(0.2).seed(9)
                    .output(new PrintStream(out, true, StandardCharsets.UTF_8)));
            assertEquals(15, h.epochs());
            assertTrue(h.history().keySet().containsAll(List.of("loss", "accuracy", "val_loss", "val_accuracy")));
            assertTrue(h.last("loss") < h.get("loss").getFirst());
            assertTrue(h.last("val_accuracy") > 0.9, "val accuracy " + h.last("val_accuracy"));
            String log = out.toString(StandardCharsets.UTF_8);
            assertTrue(log.contains("Epoch 15/15 - 15 steps") && log.contains("val_accuracy:"), log);
            Map<String, Double> eval = model.evaluate(d[0], d[1]);
            assertTrue(eval.get("accuracy") > 0.9);
            Tensor p = model.predict(d[0].slice(0, 0, 70), 32);
            assertArrayEquals(new int[] {70, 3}, p.shape());
            assertEquals(70f, p.sum().item(), 1e-3f);
        }
    }

    @Test
    void summaryListsLayersShapesAndParameterCounts() {
        try (var model = new Sequential(new Dense(10, Activation.RELU), new Dense(1))) {
            model.build(10);
            String s = model.summary();
            assertTrue(s.contains("dense (Dense)") && s.contains("(None, 10)") && s.contains("110"), s);
            assertTrue(s.contains("dense_1 (Dense)") && s.contains("(None, 1)") && s.contains("11"), s);
            assertTrue(s.contains("Total params: 121"), s);
        }
    }

    private static Sequential trainDeterministically(int threads) {
        CpuBackend.shared().useThreads(threads);
        Tensor x = Tensor.normal(new int[] {256, 64}, 0f, 1f, 11);
        Tensor y = Tensor.normal(new int[] {256, 1}, 0f, 1f, 12);
        var model = new Sequential(new Dense(256, Activation.TANH), new Dense(128, Activation.RELU), new Dense(1)).seed(7);
        model.compile(new Adam(0.001f), Losses.mse());
        model.fit(x, y, Fit.epochs(2).batchSize(128).seed(3).verbose(0));
        return model;
    }

    @Test
    void sameSeedGivesIdenticalWeightsOnOneAndTwoThreads() {
        int original = CpuBackend.shared().threadCount();
        try (var one = trainDeterministically(1); var two = trainDeterministically(2)) {
            for (var e : one.namedParameters().entrySet()) {
                assertArrayEquals(e.getValue().toArray(), two.namedParameters().get(e.getKey()).toArray(), 0f, e.getKey());
            }
        } finally {
            CpuBackend.shared().useThreads(original);
        }
    }

    @Test
    void nonFiniteLossStopsFitNamingEpochAndStep() {
        float[] xv = new float[40];
        xv[37] = Float.NaN;
        Tensor x = Tensor.of(xv, 20, 2);
        try (var model = new Sequential(new Dense(1))) {
            model.compile(new Adam(), Losses.mse());
            var e = assertThrows(NonFiniteLossException.class,
                    () -> model.fit(x, Tensor.zeros(20, 1), Fit.epochs(3).batchSize(5).shuffle(false).verbose(0)));
            assertEquals(1, e.epoch());
            assertEquals(4, e.step());
            assertTrue(e.getMessage().contains("epoch 1, step 4"), e.getMessage());
        }
    }

    @Test
    void badTrainingInputsAreTypedErrors() {
        try (var model = new Sequential(new Dense(1))) {
            assertThrows(IllegalStateException.class, () -> model.fit(Tensor.zeros(4, 2), Tensor.zeros(4, 1), Fit.epochs(1)));
            model.compile(new Adam(), Losses.mse());
            var mismatch = assertThrows(ShapeMismatchException.class,
                    () -> model.fit(Tensor.zeros(4, 2), Tensor.zeros(5, 1), Fit.epochs(1).verbose(0)));
            assertTrue(mismatch.getMessage().contains("[4, 2]") && mismatch.getMessage().contains("[5, 1]"));
            var empty = assertThrows(IllegalArgumentException.class,
                    () -> model.fit(Tensor.zeros(0, 2), Tensor.zeros(0, 1), Fit.epochs(1).verbose(0)));
            assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Fit.epochs(1).batchSize(0));
            assertThrows(IllegalArgumentException.class, () -> model.evaluate(Tensor.zeros(4, 2), Tensor.zeros(4, 1), -1));
        }
    }

    @Test
    void builtModelRejectsInputsOfAnotherShape() {
        try (var model = new Sequential(new Dense(3))) {
            model.build(4);
            var e = assertThrows(ShapeMismatchException.class, () -> model.predict(Tensor.zeros(2, 5)));
            assertTrue(e.getMessage().contains("[4]") && e.getMessage().contains("[5]"), e.getMessage());
        }
    }

    @Test
    void fitVisitsEveryRowBeyondFloatPrecision() {
        int n = (1 << 24) + 2;
        float[] xs = new float[n];
        xs[n - 1] = Float.NaN; // row 2^24 + 1: a float32 row number would round it to 2^24
        Tensor x = Tensor.of(xs, n, 1);
        Tensor y = Tensor.zeros(n, 1);
        try (var model = new Sequential(new Dense(1))) {
            model.compile(new dev.isthmus.nn.optim.SGD(0.01f), Losses.mse());
            var e = assertThrows(NonFiniteLossException.class,
                    () -> model.fit(x, y, Fit.epochs(1).batchSize(1 << 22).shuffle(false).verbose(0)));
            assertTrue(e.getMessage().contains("step 5"), e.getMessage());
        }
    }

    @Test
    void labelsOutOfRangeAreRejectedWithTheValue() {
        try (var model = new Sequential(new Dense(3, Activation.SOFTMAX))) {
            model.compile(new Adam(), Losses.sparseCategoricalCrossentropy());
            var e = assertThrows(IndexOutOfRangeException.class, () -> model.fit(Tensor.zeros(4, 2),
                    Tensor.of(new int[] {0, 1, 5, 2}, 4), Fit.epochs(1).shuffle(false).verbose(0)));
            assertTrue(e.getMessage().contains("index 5"), e.getMessage());
        }
    }

    @Test
    void dropoutIsIdentityAtInferenceAndScalesInTraining() {
        var drop = new Dropout(0.5f, 1);
        drop.build(new int[] {1000}, null, 0);
        Tensor x = Tensor.ones(1, 1000);
        assertArrayEquals(x.toArray(), drop.call(x, false).toArray());
        float[] y = drop.call(x, true).toArray();
        int zeros = 0;
        for (float v : y) {
            assertTrue(v == 0f || v == 2f);
            zeros += v == 0f ? 1 : 0;
        }
        assertTrue(zeros > 400 && zeros < 600, "zeros " + zeros);
    }
}
