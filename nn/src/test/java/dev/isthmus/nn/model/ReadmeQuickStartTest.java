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
}
