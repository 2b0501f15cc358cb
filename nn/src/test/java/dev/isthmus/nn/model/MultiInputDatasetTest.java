package dev.isthmus.nn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.data.Dataset;
import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Concatenate;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Input;
import dev.isthmus.nn.layers.SymbolicTensor;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A two-input, two-output model fed by a dataset whose elements hold the inputs, then the labels
 * (then optionally sample weights): the same training, evaluation and predictions as from tensors.
 */
class MultiInputDatasetTest {
    private static Model model() {
        SymbolicTensor a = Input.of(3);
        SymbolicTensor b = Input.of(2);
        SymbolicTensor h = new Dense(8, Activation.TANH).apply(new Concatenate().apply(a, b));
        Model m = new Model("two", List.of(a, b), List.of(new Dense(1).apply(h), new Dense(2).apply(h)), 4);
        m.compile(new Adam(0.01f), List.of(Losses.mse(), Losses.mse()), new float[] {1f, 0.5f});
        return m;
    }

    @Test
    void aDatasetOfInputsThenLabelsTrainsAsTensorsDo() {
        Tensor xa = Tensor.uniform(new int[] {40, 3}, -1, 1, 1);
        Tensor xb = Tensor.uniform(new int[] {40, 2}, -1, 1, 2);
        Tensor y1 = xa.sum(new int[] {1}, true);
        Tensor y2 = Tensor.concat(List.of(xb, xb.mul(-1f)), 1).slice(1, 0, 2);
        History fromTensors;
        float[] weights;
        try (Model m = model()) {
            fromTensors = m.fit(List.of(xa, xb), List.of(y1, y2), Fit.epochs(3).batchSize(8).shuffle(false).verbose(0));
            weights = m.layers().getLast().getWeights().getFirst().toArray();
        }
        try (Model m = model()) {
            Dataset data = Dataset.fromTensors(xa, xb, y1, y2).batch(8);
            History fromData = m.fit(data, Fit.epochs(3).verbose(0));
            assertEquals(fromTensors.get("loss"), fromData.get("loss"));
            assertArrayEquals(weights, m.layers().getLast().getWeights().getFirst().toArray(), 0f);
            Map<String, Double> ev = m.evaluate(data);
            Map<String, Double> evT = m.evaluate(List.of(xa, xb), List.of(y1, y2), 8);
            assertEquals(evT.get("loss"), ev.get("loss"), 1e-6);
            List<Tensor> pred = m.predictOutputs(Dataset.fromTensors(xa, xb).batch(16));
            List<Tensor> predT = m.predict(List.of(xa, xb), 16);
            assertEquals(2, pred.size());
            assertArrayEquals(predT.get(0).toArray(), pred.get(0).toArray(), 0f);
            assertArrayEquals(predT.get(1).toArray(), pred.get(1).toArray(), 0f);
            var e = assertThrows(IllegalArgumentException.class, () -> m.predict(Dataset.fromTensors(xa, xb).batch(16)));
            assertTrue(e.getMessage().contains("predictOutputs"), e.getMessage());
            var wrong = assertThrows(IllegalArgumentException.class, () -> m.fit(Dataset.fromTensors(xa, y1).batch(8),
                    Fit.epochs(1).verbose(0)));
            assertTrue(wrong.getMessage().contains("2 inputs, 2 label tensors"), wrong.getMessage());
        }
    }
}
