package dev.isthmus.nn.callbacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.metrics.Metrics;
import dev.isthmus.nn.model.Fit;
import dev.isthmus.nn.model.History;
import dev.isthmus.nn.model.NonFiniteLossException;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.SGD;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The callback hooks of fit and each built-in callback against Keras's documented behaviour. */
class CallbackTest {
    /** 24 samples, batches of 8: three batches an epoch. */
    private static final Tensor X = Tensor.uniform(new int[] {24, 3}, -1, 1, 7);
    private static final Tensor Y = Tensor.uniform(new int[] {24, 1}, -1, 1, 8);

    private static Sequential model() {
        Sequential m = new Sequential(new Dense(4), new Dense(1)).seed(3);
        m.compile(new SGD(0.05f), Losses.mse(), Metrics.MAE);
        return m;
    }

    private static Fit fit(int epochs, Callback... callbacks) {
        return Fit.epochs(epochs).batchSize(8).verbose(0).seed(1).callbacks(callbacks);
    }

    /** Puts a scripted value of {@code key} into each epoch's logs, as if the model had measured it. */
    private record Script(String key, double... values) implements Callback {
        @Override
        public void onEpochEnd(int epoch, Map<String, Double> logs) {
            logs.put(key, values[epoch]);
        }
    }

    /** The model's weights (on the host) at the end of each epoch. */
    private static final class WeightRecorder implements Callback {
        final List<List<float[]>> epochs = new ArrayList<>();
        private dev.isthmus.nn.model.Model model;

        @Override
        public void setModel(dev.isthmus.nn.model.Model model) {
            this.model = model;
        }

        @Override
        public void onEpochEnd(int epoch, Map<String, Double> logs) {
            epochs.add(model.getWeights().stream().map(Tensor::toArray).toList());
        }
    }

    private static void assertWeights(List<float[]> expected, Sequential m) {
        List<Tensor> got = m.getWeights();
        assertEquals(expected.size(), got.size());
        for (int i = 0; i < got.size(); i++) {
            assertArrayEquals(expected.get(i), got.get(i).toArray(), 0f, "weight " + i);
        }
    }

    // ------------------------------------------------------------------ hooks

    @Test
    void hooksComeInKerasOrderWithZeroBasedEpochsAndBatchesAndEpochLogs() {
        List<String> events = new ArrayList<>();
        Callback recorder = new Callback() {
            @Override
            public void onTrainBegin(Map<String, Double> logs) {
                events.add("trainBegin");
            }

            @Override
            public void onTrainEnd(Map<String, Double> logs) {
                events.add("trainEnd " + logs.keySet());
            }

            @Override
            public void onEpochBegin(int epoch, Map<String, Double> logs) {
                events.add("epochBegin " + epoch);
            }

            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs) {
                events.add("epochEnd " + epoch + " " + logs.keySet());
            }

            @Override
            public void onBatchBegin(int batch, Map<String, Double> logs) {
                events.add("b" + batch);
            }

            @Override
            public void onBatchEnd(int batch, Map<String, Double> logs) {
                events.add("e" + batch);
            }
        };
        try (Sequential m = model()) {
            m.fit(X, Y, fit(2, recorder).validationData(X, Y));
        }
        String keys = "[loss, mae, val_loss, val_mae]";
        assertEquals(List.of("trainBegin", "epochBegin 0", "b0", "e0", "b1", "e1", "b2", "e2", "epochEnd 0 " + keys,
                "epochBegin 1", "b0", "e0", "b1", "e1", "b2", "e2", "epochEnd 1 " + keys, "trainEnd " + keys), events);
    }

    @Test
    void epochCallbacksCostNoHostReadAndBatchLogsAreReadOncePerBatchWhenLookedAt() {
        WeightRecorder unused = new WeightRecorder();
        try (Sequential m = model()) {
            m.fit(X, Y, fit(1)); // warm
            Device.CPU.resetStats();
            m.fit(X, Y, fit(3, new Script("val_loss", 1, 2, 3), new ReduceLROnPlateau().monitor("val_loss")));
            assertEquals(3, Device.CPU.stats().hostReads(), "one read per epoch end: " + Device.CPU.stats());

            List<Double> first = new ArrayList<>();
            List<Double> second = new ArrayList<>();
            Callback a = new Callback() {
                @Override
                public void onBatchEnd(int batch, Map<String, Double> logs) {
                    first.add(logs.get("loss"));
                }
            };
            Callback b = new Callback() {
                @Override
                public void onBatchEnd(int batch, Map<String, Double> logs) {
                    second.add(logs.get("mae"));
                }
            };
            Device.CPU.resetStats();
            History h = m.fit(X, Y, fit(2, a, b));
            assertEquals(6, Device.CPU.stats().hostReads(), "one read per batch, shared, and the epoch end reuses the last: "
                    + Device.CPU.stats());
            assertEquals(6, first.size());
            assertEquals(6, second.size());
            // batch logs are the epoch's running means: at the last batch, the epoch's value
            assertEquals(h.get("loss").get(0), first.get(2));
            assertEquals(h.get("mae").get(1), second.get(5));
        }
        assertTrue(unused.epochs.isEmpty());
    }

    @Test
    void stopTrainingEndsTheEpochAfterTheCurrentBatchAndRecordsIt() {
        List<Integer> batches = new ArrayList<>();
        Callback stopper = new Callback() {
            private dev.isthmus.nn.model.Model model;

            @Override
            public void setModel(dev.isthmus.nn.model.Model model) {
                this.model = model;
            }

            @Override
            public void onBatchEnd(int batch, Map<String, Double> logs) {
                batches.add(batch);
                if (batch == 1) {
                    model.stopTraining();
                }
            }
        };
        try (Sequential m = model()) {
            History h = m.fit(X, Y, fit(5, stopper));
            assertEquals(List.of(0, 1), batches);
            assertEquals(1, h.epochs());
            assertTrue(m.stopTrainingRequested());
            assertEquals(5, m.fit(X, Y, fit(5)).epochs(), "the next fit starts with the request cleared");
        }
    }

    // ------------------------------------------------------------------ EarlyStopping

    @Test
    void earlyStoppingWithPatienceTwoStopsAtTheRightEpochAndRestoresTheBestWeights() {
        WeightRecorder weights = new WeightRecorder();
        EarlyStopping es = new EarlyStopping().monitor("val_loss").patience(2).restoreBestWeights(true);
        try (Sequential m = model()) {
            // best at epoch 1; epochs 2 and 3 do not improve: the wait reaches 2 at epoch 3
            History h = m.fit(X, Y, fit(10, new Script("val_loss", 1.0, 0.8, 0.9, 0.85, 0.1, 0.1), weights, es));
            assertEquals(4, h.epochs());
            assertEquals(3, es.stoppedEpoch());
            assertEquals(1, es.bestEpoch());
            assertEquals(0.8, es.best());
            assertWeights(weights.epochs.get(1), m);
            assertFalse(java.util.Arrays.equals(weights.epochs.get(1).get(0), weights.epochs.get(3).get(0)),
                    "training moved the weights after the best epoch, so the restore is visible");
        }
        WeightRecorder last = new WeightRecorder();
        try (Sequential m = model()) {
            m.fit(X, Y, fit(10, new Script("val_loss", 1.0, 0.8, 0.9, 0.85), last, new EarlyStopping().patience(2)));
            assertEquals(4, last.epochs.size());
            assertWeights(last.epochs.get(3), m);
        }
    }

    @Test
    void earlyStoppingCountsOnlyImprovementsBeyondMinDelta() {
        EarlyStopping es = new EarlyStopping().patience(2).minDelta(0.1);
        try (Sequential m = model()) {
            History h = m.fit(X, Y, fit(10, new Script("val_loss", 1.0, 0.95, 0.9, 0.5, 0.4), es));
            assertEquals(3, h.epochs(), "0.95 and 0.9 are within 0.1 of 1.0");
            assertEquals(2, es.stoppedEpoch());
        }
    }

    @Test
    void earlyStoppingMaximisesAccuraciesInAutoModeAndHonoursABaseline() {
        EarlyStopping acc = new EarlyStopping().monitor("val_accuracy").patience(2);
        try (Sequential m = model()) {
            assertEquals(4, m.fit(X, Y, fit(10, new Script("val_accuracy", 0.5, 0.6, 0.6, 0.6, 0.9), acc)).epochs());
            // a baseline never beaten: the wait is never reset, so patience 2 stops at epoch 1
            EarlyStopping base = new EarlyStopping().patience(2).baseline(0.5);
            assertEquals(2, m.fit(X, Y, fit(10, new Script("val_loss", 0.9, 0.95, 0.97), base)).epochs());
            // beaten: the wait restarts as usual
            EarlyStopping beaten = new EarlyStopping().patience(2).baseline(0.5);
            assertEquals(5, m.fit(X, Y, fit(5, new Script("val_loss", 0.4, 0.3, 0.35, 0.2, 0.1), beaten)).epochs());
            var e = assertThrows(IllegalArgumentException.class,
                    () -> m.fit(X, Y, fit(2, new Script("val_foo", 1, 1), new EarlyStopping().monitor("val_foo"))));
            assertTrue(e.getMessage().contains("mode"), e.getMessage());
            assertEquals(2, m.fit(X, Y, fit(2, new Script("val_foo", 1, 1),
                    new EarlyStopping().monitor("val_foo").mode(Mode.MIN))).epochs());
        }
    }

    // ------------------------------------------------------------------ learning rates

    @Test
    void reduceLrOnPlateauHalvesAfterPatienceWaitsOutItsCooldownAndStopsAtMinLr() {
        try (Sequential m = new Sequential(new Dense(1)).seed(1)) {
            SGD sgd = new SGD(0.1f);
            m.compile(sgd, Losses.mse());
            ReduceLROnPlateau r = new ReduceLROnPlateau().factor(0.5).patience(2).cooldown(1).minLr(0.02);
            History h = m.fit(X, Y, fit(9, new Script("val_loss", 1, 1, 1, 1, 1, 1, 1, 1, 1), r));
            List<Double> rates = h.get("learning_rate");
            double[] expected = {0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02};
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], rates.get(i), 1e-7, "epoch " + i + " of " + rates);
            }
            assertEquals(0.02f, sgd.learningRate(), 1e-9f);
        }
        assertThrows(IllegalArgumentException.class, () -> new ReduceLROnPlateau().factor(1.0));
    }

    @Test
    void learningRateSchedulerSetsEachEpochsRateFromTheEpochOrTheCurrentRate() {
        try (Sequential m = model()) {
            History h = m.fit(X, Y, fit(3, new LearningRateScheduler(epoch -> 0.1 * Math.pow(0.5, epoch))));
            assertEquals(List.of(0.1, 0.05, 0.025), h.get("learning_rate").stream()
                    .map(v -> Math.round(v * 1e6) / 1e6).toList());
            m.optimizer().setLearningRate(0.2f);
            History g = m.fit(X, Y, fit(2, new LearningRateScheduler((epoch, rate) -> rate * 0.5)));
            assertEquals(0.1, g.get("learning_rate").get(0), 1e-7);
            assertEquals(0.05, g.get("learning_rate").get(1), 1e-7);
        }
    }

    // ------------------------------------------------------------------ files

    @Test
    void modelCheckpointSavesEveryEpochOrOnlyTheBestWithThePathFilledIn(@TempDir Path dir) {
        WeightRecorder weights = new WeightRecorder();
        try (Sequential m = model()) {
            m.fit(X, Y, fit(3, new ModelCheckpoint(dir.resolve("every-{epoch:02d}.safetensors"))));
            for (int e = 1; e <= 3; e++) {
                assertTrue(Files.exists(dir.resolve(String.format("every-%02d.safetensors", e))), "epoch " + e);
            }
            ModelCheckpoint best = new ModelCheckpoint(dir.resolve("best-{epoch}-{val_loss:.2f}.safetensors")).saveBestOnly(true);
            m.fit(X, Y, fit(4, new Script("val_loss", 1.0, 0.5, 0.7, 0.4), weights, best));
        }
        assertTrue(Files.exists(dir.resolve("best-1-1.00.safetensors")));
        assertTrue(Files.exists(dir.resolve("best-2-0.50.safetensors")));
        assertFalse(Files.exists(dir.resolve("best-3-0.70.safetensors")), "epoch 3 did not improve");
        try (Sequential loaded = Sequential.load(dir.resolve("best-4-0.40.safetensors"))) {
            assertWeights(weights.epochs.get(3), loaded);
        }
    }

    @Test
    void csvLoggerWritesSortedColumnsARowPerEpochAndAppendsWithoutASecondHeader(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("log.csv");
        try (Sequential m = model()) {
            History h = m.fit(X, Y, fit(2, new CSVLogger(file)).validationData(X, Y));
            List<String> lines = Files.readAllLines(file);
            assertEquals("epoch,loss,mae,val_loss,val_mae", lines.get(0));
            assertEquals(3, lines.size());
            String[] row = lines.get(2).split(",");
            assertEquals("1", row[0]);
            assertEquals(h.get("loss").get(1), Double.parseDouble(row[1]));
            assertEquals(h.get("val_mae").get(1), Double.parseDouble(row[4]));
            m.fit(X, Y, fit(1, new CSVLogger(file, ",", true)).validationData(X, Y));
            lines = Files.readAllLines(file);
            assertEquals(4, lines.size());
            assertTrue(lines.get(3).startsWith("0,"), lines.get(3));
            m.fit(X, Y, fit(1, new CSVLogger(file, ";", false)));
            assertEquals(List.of("epoch;loss;mae"), Files.readAllLines(file).subList(0, 1), "without append the file starts over");
        }
    }

    // ------------------------------------------------------------------ NaN

    @Test
    void terminateOnNaNStopsAtTheFirstNonFiniteBatchWhereFitWouldOtherwiseThrow() {
        float[] values = X.toArray();
        values[17 * 3] = Float.NaN; // row 17: the third batch without shuffling
        Tensor bad = Tensor.of(values, 24, 3);
        try (Sequential m = model()) {
            assertThrows(NonFiniteLossException.class, () -> m.fit(bad, Y, fit(3).shuffle(false)));
        }
        try (Sequential m = model()) {
            TerminateOnNaN t = new TerminateOnNaN();
            History h = m.fit(bad, Y, fit(3, t).shuffle(false));
            assertEquals(2, t.stoppedAtBatch());
            assertEquals(1, h.epochs());
            assertTrue(Double.isNaN(h.last("loss")));
        }
    }

    @Test
    void theProgressBarIsACallbackFitAddsLastUnlessOneIsGiven() {
        var printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        // verbosity 2 from the fit: one line an epoch, printed after the other callbacks added their logs
        try (Sequential m = model()) {
            m.fit(X, Y, Fit.epochs(2).batchSize(8).seed(1).verbose(2).output(out).callbacks(new Script("extra", 5, 6)));
        }
        String lines = printed.toString(StandardCharsets.UTF_8);
        assertTrue(lines.startsWith("Epoch 1/2 - 3 steps - "), lines);
        assertTrue(lines.contains("Epoch 2/2 - 3 steps - ") && lines.contains("extra: 6.0000"), lines);
        assertEquals(2, lines.lines().count(), lines);
        // one given explicitly prints even when the fit is silent, and fit adds no second one
        printed.reset();
        List<Map<String, Integer>> params = new ArrayList<>();
        Callback spy = new Callback() {
            @Override
            public void setParams(Map<String, Integer> p) {
                params.add(p);
            }
        };
        try (Sequential m = model()) {
            m.fit(X, Y, fit(3, spy, new ProgressBar(out, 2)));
        }
        lines = printed.toString(StandardCharsets.UTF_8);
        assertEquals(3, lines.lines().count(), lines);
        assertTrue(lines.contains("Epoch 3/3 - 3 steps - ") && lines.contains("loss: "), lines);
        assertEquals(3, params.size());
        assertEquals(Map.of("epochs", 3, "steps", 3, "verbose", 0), params.getFirst());
        // verbosity 1: the bar redrawn in place, the last redraw at the epoch's last step
        printed.reset();
        try (Sequential m = model()) {
            m.fit(X, Y, fit(1, new ProgressBar(out, 1)));
        }
        lines = printed.toString(StandardCharsets.UTF_8);
        assertTrue(lines.startsWith("Epoch 1/1\n"), lines);
        assertTrue(lines.contains("\r3/3 [==============================] - "), lines);
        assertThrows(IllegalArgumentException.class, () -> new ProgressBar(out, 0));
    }
}
