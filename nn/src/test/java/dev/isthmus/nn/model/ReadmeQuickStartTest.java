package dev.isthmus.nn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.callbacks.CSVLogger;
import dev.isthmus.nn.callbacks.EarlyStopping;
import dev.isthmus.nn.callbacks.ModelCheckpoint;
import dev.isthmus.nn.callbacks.ReduceLROnPlateau;
import dev.isthmus.nn.data.Dataset;
import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Dropout;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.metrics.Metrics;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.optim.AdamW;
import dev.isthmus.nn.optim.CosineDecay;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's quick start, as written there, learns its task. */
class ReadmeQuickStartTest {

    @Test
    void quickStartLearnsTheRowSumSign() {
        Tensor x = Tensor.normal(new int[] {1000, 10}, 0f, 1f, 1);
        Tensor y = x.sum(new int[] {1}, true).gt(Tensor.scalar(0f));
        try (var model = new Sequential(
                new Dense(32, Activation.RELU),
                new Dropout(0.1f),
                new Dense(1, Activation.SIGMOID)).seed(42)) {
            model.compile(new Adam(0.01f), Losses.binaryCrossentropy(), Metrics.ACCURACY);
            History h = model.fit(x, y, Fit.epochs(20).batchSize(32).validationSplit(0.2).verbose(0));
            assertTrue(h.last("val_accuracy") > 0.93, "val accuracy " + h.last("val_accuracy"));
            assertTrue(model.evaluate(x, y).get("accuracy") > 0.93);
            assertArrayEquals(new int[] {5, 1}, model.predict(x.slice(0, 0, 5)).shape());
        }
        try (Scope step = Scope.open()) {
            Tensor w = Tensor.glorotUniform(new int[] {10, 1}, 7).requiresGrad(true);
            Tensor loss = x.matmul(w).sub(1f).square().mean();
            loss.backward();
            assertArrayEquals(new int[] {10, 1}, w.grad().shape());
        }
    }

    @Test
    void kerasSectionTrainsAFrozenBaseWithCallbacksAndASchedule(@TempDir Path dir) {
        Tensor x = Tensor.normal(new int[] {400, 10}, 0f, 1f, 1);
        Tensor y = x.sum(new int[] {1}, true).gt(Tensor.scalar(0f));
        List<Tensor> pretrained;
        try (var donor = new Sequential(new Dense(32, Activation.RELU)).seed(7).build(10)) {
            pretrained = donor.getWeights();
        }
        Dense base = new Dense(32, Activation.RELU);
        try (var model = new Sequential(base, new Dense(1, Activation.SIGMOID)).seed(42)) {
            model.build(10);
            base.setWeights(pretrained);
            base.setTrainable(false);
            var schedule = new CosineDecay(0f, 100, 0f, 0.01f, 10);
            model.compile(new AdamW(schedule, 0.004f).globalClipNorm(1f), Losses.binaryCrossentropy(),
                    Metrics.ACCURACY);
            assertTrue(model.summary().contains("Non-trainable params: 352"), model.summary());
            History h = model.fit(x, y, Fit.epochs(8).validationSplit(0.2).verbose(0).callbacks(
                    new EarlyStopping().monitor("val_loss").patience(3).restoreBestWeights(true),
                    new ModelCheckpoint(dir.resolve("best-{epoch:02d}-{val_loss:.4f}.safetensors").toString())
                            .saveBestOnly(true),
                    new CSVLogger(dir.resolve("training.csv"))));
            assertTrue(h.epochs() >= 4, h.toString());
            assertArrayEquals(pretrained.get(0).toArray(), model.getWeights().get(0).toArray(), 0f, "the frozen base kept its weights");
            assertTrue(h.last("val_accuracy") > 0.75, h.toString());
            assertTrue(Files.exists(dir.resolve("training.csv")));
        }
    }

    /**
     * The README's "A Keras user's whole workflow", as written there (smaller counts, no progress
     * bar, files under a temporary folder): keep the two in step.
     */
    @Test
    void wholeWorkflowStreamsFreezesSchedulesSavesAndLoads(@TempDir Path dir)
            throws IOException {
        int samples = 640;
        int epochs = 6;
        // 1. A streamed dataset: samples made as a pass pulls them, shuffled in a buffer, batched, loaded ahead.
        Dataset train = Dataset.fromIterators(() -> new Iterator<Tensor[]>() {
                    final Random random = new Random(1);
                    int made;

                    @Override
                    public boolean hasNext() {
                        return made < samples;
                    }

                    @Override
                    public Tensor[] next() {
                        made++;
                        float[] row = new float[10];
                        float sum = 0;
                        for (int i = 0; i < row.length; i++) {
                            row[i] = (float) random.nextGaussian();
                            sum += row[i];
                        }
                        return new Tensor[] {Tensor.of(row, 10), Tensor.of(new float[] {sum > 0 ? 1 : 0}, 1)};
                    }
                })
                .shuffle(256, 7).batch(32).prefetch(2);
        Tensor xVal = Tensor.normal(new int[] {200, 10}, 0f, 1f, 2);
        Tensor yVal = xVal.sum(new int[] {1}, true).gt(Tensor.scalar(0f));
        Dataset validation = Dataset.fromTensors(xVal, yVal).batch(64);

        // 2. A pretrained base: here trained on the same data and saved; usually a file you were given.
        try (var pretraining = new Sequential(new Dense(32, Activation.RELU), new Dense(1, Activation.SIGMOID)).seed(3)) {
            pretraining.compile(new Adam(0.01f), Losses.binaryCrossentropy(), Metrics.ACCURACY);
            pretraining.fit(train, Fit.epochs(3).validationData(validation).verbose(0).callbacks(
                    new ReduceLROnPlateau().monitor("val_loss").factor(0.5).patience(1)));
            pretraining.save(dir.resolve("base.safetensors"));
        }
        List<Tensor> baseWeights;
        try (var pretrained = Sequential.load(dir.resolve("base.safetensors"))) {
            baseWeights = pretrained.layers().get(0).getWeights(); // copies: they outlive the loaded model
        }

        // 3. Transfer: the base frozen, a new head, a warm-up + cosine schedule, callbacks.
        Dense base = new Dense(32, Activation.RELU);
        try (var model = new Sequential(base, new Dense(16, Activation.RELU), new Dense(1, Activation.SIGMOID)).seed(42)) {
            model.build(10);
            base.setWeights(baseWeights);
            base.setTrainable(false);
            List<Tensor> headBefore = model.layers().get(1).getWeights();
            var schedule = new CosineDecay(0f, 100, 0f, 0.01f, 20);
            model.compile(new AdamW(schedule, 0.004f).globalClipNorm(1f), Losses.binaryCrossentropy(),
                    Metrics.ACCURACY);
            History h = model.fit(train, Fit.epochs(epochs).validationData(validation).verbose(0).callbacks(
                    new EarlyStopping().monitor("val_loss").patience(3).restoreBestWeights(true),
                    new ModelCheckpoint(dir.resolve("best.safetensors")).saveBestOnly(true),
                    new CSVLogger(dir.resolve("training.csv"))));
            model.save(dir.resolve("model.safetensors"));
            Tensor trained = model.predict(validation);

            // 4. Load and predict.
            try (var again = Sequential.load(dir.resolve("model.safetensors"))) {
                Tensor loaded = again.predict(validation);
                assertArrayEquals(trained.toArray(), loaded.toArray(), 0f, "the loaded model predicts as the trained one");
            }

            assertArrayEquals(new int[] {200, 1}, trained.shape());
            List<Tensor> baseAfter = base.getWeights();
            for (int i = 0; i < baseWeights.size(); i++) {
                assertArrayEquals(baseWeights.get(i).toArray(), baseAfter.get(i).toArray(), 0f, "the frozen base kept weight " + i);
            }
            List<Tensor> headAfter = model.layers().get(1).getWeights();
            assertFalse(
                    Arrays.equals(headBefore.get(0).toArray(), headAfter.get(0).toArray()), "the head's kernel moved");
            assertTrue(Files.exists(dir.resolve("best.safetensors")), "the checkpoint was written");
            List<String> csv = Files.readAllLines(dir.resolve("training.csv"));
            assertEquals(h.epochs() + 1, csv.size(), "a header and one row per epoch: " + csv);
            assertTrue(csv.get(0).contains("val_loss"), csv.get(0));
            assertTrue(h.last("val_accuracy") > 0.8, h.toString());
        }
    }
}
