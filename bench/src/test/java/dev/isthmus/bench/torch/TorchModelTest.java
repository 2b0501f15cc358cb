package dev.isthmus.bench.torch;

import dev.isthmus.bench.Workloads;
import dev.isthmus.nn.model.Model;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PyTorch reference trains the same models as Isthmus: same sizes, same function, same optimizer. */
class TorchModelTest {
    static final List<String> MODELS = Workloads.MODELS;

    @ParameterizedTest
    @FieldSource("MODELS")
    void hasAsManyParametersAsTheIsthmusModel(String name) {
        try (TorchTrainer t = new TorchTrainer(name, 4)) {
            assertTrue(t.isthmusParameters > 0);
            assertEquals(t.isthmusParameters, t.model.parameterCount(), name);
        }
    }

    /** Same initial weights and batch, no dropout: the same loss, which also checks the NHWC/NCHW and LSTM translation. */
    @ParameterizedTest
    @FieldSource("MODELS")
    void startsAtTheIsthmusModelsLoss(String name) {
        int batch = 4;
        float ours = isthmusLosses(name, batch, 0)[0];
        try (TorchTrainer t = new TorchTrainer(name, batch)) {
            assertEquals(ours, t.evaluate(), 1e-4 * Math.max(1, Math.abs(ours)), name);
        }
    }

    /** Without dropout, Adam's steps on both sides follow the same losses: the optimizer settings agree. */
    @ParameterizedTest
    @ValueSource(strings = {"mlp", "image"})
    void trainsAlongTheIsthmusLosses(String name) {
        int batch = 8;
        int steps = 4;
        float[] ours = isthmusLosses(name, batch, steps);
        try (TorchTrainer t = new TorchTrainer(name, batch)) {
            float[] torch = new float[steps];
            for (int i = 0; i < steps; i++) {
                torch[i] = t.step();
            }
            for (int i = 0; i < steps; i++) {
                assertEquals(ours[i], torch[i], 1e-4 * Math.max(1, Math.abs(ours[i])), name + " step " + i + ": "
                        + Arrays.toString(ours) + " vs " + Arrays.toString(torch));
            }
            assertTrue(torch[steps - 1] < torch[0], "the loss falls: " + Arrays.toString(torch));
        }
    }

    /**
     * The GPT twin: as many parameters, the same loss from the same weights (which checks the
     * projections' layouts, the causal mask, the layer norms' epsilon and the tied output), and
     * Adam's first steps follow the Isthmus losses.
     */
    @Test
    void gptTwinMatchesTheIsthmusTransformer() {
        int batch = 3;
        int steps = 3;
        Tensor x = Workloads.inputs("gpt", batch, Device.CPU);
        Tensor y = Workloads.labels("gpt", batch, Device.CPU);
        float[] ours = new float[steps + 1];
        try (Model model = Workloads.network("gpt", 1, 1)) {
            try (Scope ignored = Scope.open()) {
                ours[0] = Workloads.loss("gpt").compute(y, model.forward(x, false)).item();
            }
            Adam adam = new Adam(1e-3f);
            List<Tensor> parameters = model.parameters();
            for (int i = 1; i <= steps; i++) {
                try (Scope ignored = Scope.open()) {
                    Tensor l = Workloads.loss("gpt").compute(y, model.forward(x, false));
                    ours[i] = l.item();
                    adam.zeroGrad(parameters);
                    l.backward();
                    adam.step(parameters);
                }
            }
        }
        try (TorchTrainer t = new TorchTrainer("gpt", batch)) {
            assertEquals(t.isthmusParameters, t.model.parameterCount());
            assertEquals(ours[0], t.evaluate(), 1e-4 * Math.max(1, Math.abs(ours[0])), "initial loss");
            for (int i = 1; i <= steps; i++) {
                float torch = t.step();
                assertEquals(ours[i], torch, 1e-4 * Math.max(1, Math.abs(ours[i])), "step " + i + ": "
                        + Arrays.toString(ours));
            }
        }
    }

    /** The loss before each of {@code steps} Adam steps (or, for none, the inference loss) of the Isthmus model. */
    private static float[] isthmusLosses(String name, int batch, int steps) {
        Tensor x = Workloads.inputs(name, batch, Device.CPU);
        Tensor y = Workloads.labels(name, batch, Device.CPU);
        try (Sequential model = Workloads.model(name, 1).seed(1)) {
            model.build(Arrays.copyOfRange(x.shape(), 1, x.rank()));
            if (steps == 0) {
                try (Scope ignored = Scope.open()) {
                    return new float[] {Workloads.loss(name).compute(y, model.forward(x, false)).item()};
                }
            }
            Adam adam = new Adam(1e-3f);
            List<Tensor> parameters = model.parameters();
            float[] losses = new float[steps];
            for (int i = 0; i < steps; i++) {
                try (Scope ignored = Scope.open()) {
                    Tensor l = Workloads.loss(name).compute(y, model.forward(x, true));
                    losses[i] = l.item();
                    adam.zeroGrad(parameters);
                    l.backward();
                    adam.step(parameters);
                }
            }
            return losses;
        }
    }
}
