package dev.isthmus.nn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Dropout;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.metrics.Metrics;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.Test;

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
    void kerasSectionTrainsAFrozenBaseWithCallbacksAndASchedule(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Tensor x = Tensor.normal(new int[] {400, 10}, 0f, 1f, 1);
        Tensor y = x.sum(new int[] {1}, true).gt(Tensor.scalar(0f));
        java.util.List<Tensor> pretrained;
        try (var donor = new Sequential(new Dense(32, Activation.RELU)).seed(7).build(10)) {
            pretrained = donor.getWeights();
        }
        Dense base = new Dense(32, Activation.RELU);
        try (var model = new Sequential(base, new Dense(1, Activation.SIGMOID)).seed(42)) {
            model.build(10);
            base.setWeights(pretrained);
            base.setTrainable(false);
            var schedule = new dev.isthmus.nn.optim.CosineDecay(0f, 100, 0f, 0.01f, 10);
            model.compile(new dev.isthmus.nn.optim.AdamW(schedule, 0.004f).globalClipNorm(1f), Losses.binaryCrossentropy(),
                    Metrics.ACCURACY);
            assertTrue(model.summary().contains("Non-trainable params: 352"), model.summary());
            History h = model.fit(x, y, Fit.epochs(8).validationSplit(0.2).verbose(0).callbacks(
                    new dev.isthmus.nn.callbacks.EarlyStopping().monitor("val_loss").patience(3).restoreBestWeights(true),
                    new dev.isthmus.nn.callbacks.ModelCheckpoint(dir.resolve("best-{epoch:02d}-{val_loss:.4f}.safetensors").toString())
                            .saveBestOnly(true),
                    new dev.isthmus.nn.callbacks.CSVLogger(dir.resolve("training.csv"))));
            assertTrue(h.epochs() >= 4, h.toString());
            assertArrayEquals(pretrained.get(0).toArray(), model.getWeights().get(0).toArray(), 0f, "the frozen base kept its weights");
            assertTrue(h.last("val_accuracy") > 0.75, h.toString());
            assertTrue(java.nio.file.Files.exists(dir.resolve("training.csv")));
        }
    }
}
