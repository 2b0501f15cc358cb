package dev.isthmus.nn.io;

import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.ActivationLayer;
import dev.isthmus.nn.layers.BatchNormalization;
import dev.isthmus.nn.layers.Conv2D;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Embedding;
import dev.isthmus.nn.layers.Flatten;
import dev.isthmus.nn.layers.LSTM;
import dev.isthmus.nn.layers.LayerNormalization;
import dev.isthmus.nn.layers.MaxPooling2D;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PyTorch state_dicts made by PyTorch itself (Debian's python3-torch, nn/src/test/pytorch/make-fixtures.py,
 * random weights) load into the same architectures built in Isthmus and predict what PyTorch
 * predicted within 1e-5; saving them back gives PyTorch's tensors in PyTorch's layouts.
 */
class PyTorchWeightsTest {
    static Sequential model(String name) {
        return switch (name) {
            case "mlp" -> new Sequential(new Dense(10, Activation.RELU), new Dense(1)).build(10);
            case "image" -> new Sequential(new Conv2D(4, 3, Activation.RELU), new MaxPooling2D(2), new Flatten(),
                    new Dense(8, Activation.RELU), new Dense(10, Activation.SOFTMAX)).build(12, 12, 1);
            case "text" -> new Sequential(new Embedding(40, 6), new LSTM(7), new Dense(2, Activation.SOFTMAX)).build(8);
            case "recommend" -> new Sequential(new Embedding(60, 8), new LSTM(5, true), new LSTM(6),
                    new Dense(60, Activation.SOFTMAX)).build(6);
            case "batchnorm" -> new Sequential(new Conv2D(3, 3), new BatchNormalization(0.99f, 1e-3f, true, true),
                    new ActivationLayer(Activation.RELU), new Flatten(), new Dense(4)).build(8, 8, 1);
            case "norms" -> new Sequential(new Dense(8), new LayerNormalization(), new Dense(3))
                    .build(6);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "image", "text", "recommend", "batchnorm"})
    void predictsWhatPyTorchPredicted(String name) throws Exception {
        Path dir = fixture(name);
        FixtureCase c = FixtureCase.read(dir);
        try (Sequential m = model(name); Scope ignored = Scope.open()) {
            PyTorchWeights.load(m, dir.resolve("model.safetensors"));
            c.assertMatches(m.forward(c.x(), false), name);
        }
    }

    /** PyTorch's LayerNorm with Keras's epsilon (1e-3) is LayerNormalization. */
    @Test
    void layerNormalization() throws Exception {
        predictsWhatPyTorchPredictedThroughNorms();
    }

    private void predictsWhatPyTorchPredictedThroughNorms() throws Exception {
        Path dir = fixture("norms");
        FixtureCase c = FixtureCase.read(dir);
        // the fixture's Tanh sits between the norm and the last Linear: Isthmus puts it on the Dense
        try (Sequential m = new Sequential(new Dense(8), new LayerNormalization(), new Dense(3))
                .build(6); Scope ignored = Scope.open()) {
            PyTorchWeights.load(m, dir.resolve("model.safetensors"));
            Tensor x = c.x();
            Tensor h = m.layers().get(1).call(List.of(m.layers().get(0).call(List.of(x),
                    java.util.Collections.singletonList(null), false)), java.util.Collections.singletonList(null), false);
            c.assertMatches(m.layers().get(2).call(List.of(h.tanh()), java.util.Collections.singletonList(null), false),
                    "norms");
        }
    }

    /** Saved back, every tensor is PyTorch's own, in PyTorch's layout (an LSTM's two biases as their sum and zero). */
    @ParameterizedTest
    @ValueSource(strings = {"mlp", "image", "text", "recommend", "batchnorm"})
    void savesPyTorchsLayouts(String name, @TempDir Path tmp) throws Exception {
        Path dir = fixture(name);
        try (Sequential m = model(name); Scope ignored = Scope.open()) {
            PyTorchWeights.load(m, dir.resolve("model.safetensors"));
            Path out = tmp.resolve("out.safetensors");
            PyTorchWeights.save(m, out);
            Map<String, Tensor> theirMap = SafeTensors.read(dir.resolve("model.safetensors")).tensors();
            List<String> keys = new ArrayList<>(theirMap.keySet());
            keys.removeIf(k -> k.endsWith("num_batches_tracked")); // a counter, not a weight
            List<Tensor> ours = new ArrayList<>(SafeTensors.read(out).tensors().values());
            assertEquals(keys.size(), ours.size());
            for (int i = 0; i < keys.size(); i++) {
                Tensor t = theirMap.get(keys.get(i));
                Tensor o = ours.get(i);
                assertArrayEquals(t.shape(), o.shape(), name + " " + keys.get(i));
                float[] want = t.toArray();
                if (keys.get(i).endsWith("bias_ih_l0")) {
                    float[] hh = theirMap.get(keys.get(i).replace("bias_ih_l0", "bias_hh_l0")).toArray();
                    for (int j = 0; j < want.length; j++) {
                        want[j] += hh[j];
                    }
                    assertArrayEquals(want, o.toArray(), 1e-6f, name + " " + keys.get(i) + " (+ bias_hh_l0)");
                    assertArrayEquals(new float[want.length], ours.get(i + 1).toArray(), name + " bias_hh_l0 written as 0");
                    i++;
                    continue;
                }
                assertArrayEquals(want, o.toArray(), name + " " + keys.get(i));
            }
        }
    }

    @Test
    void aModelThatDoesNotFitNamesTheTensorAndBothShapes() throws Exception {
        try (Sequential m = new Sequential(new Dense(11, Activation.RELU), new Dense(1)).build(10)) {
            ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                    () -> PyTorchWeights.load(m, fixture("mlp").resolve("model.safetensors")));
            assertTrue(e.getMessage().contains("[10, 10]") && e.getMessage().contains("[10, 11]"), e.getMessage());
        }
        try (Sequential m = new Sequential(new Dense(10)).build(10)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PyTorchWeights.load(m, fixture("mlp").resolve("model.safetensors")));
            assertTrue(e.getMessage().contains("2 modules"), e.getMessage());
        }
    }

    private static Path fixture(String name) throws Exception {
        return Path.of(PyTorchWeightsTest.class.getResource("/pytorch/" + name + "/model.safetensors").toURI()).getParent();
    }
}
