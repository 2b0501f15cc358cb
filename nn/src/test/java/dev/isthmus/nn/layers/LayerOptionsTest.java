package dev.isthmus.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.io.Json;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Initializers, useBias, LSTM options and regularizers survive a layer's config and a model's save and load. */
class LayerOptionsTest {

    /** A layer with options; the input shape it is built for. */
    private record Case(Supplier<Layer> make, int[] inputShape) {
    }

    private static List<Case> cases() {
        return List.of(
                new Case(() -> new Dense(5, Activation.RELU).kernelInitializer(Initializer.of("he_uniform"))
                        .biasInitializer(Initializer.constant(0.1f)).kernelRegularizer(Regularizers.l2(0.02)), new int[] {4}),
                new Case(() -> new Dense(3, Activation.LINEAR, false, Initializer.lecunNormal(), Initializer.zeros()), new int[] {4}),
                new Case(() -> new Conv2D(4, new int[] {3, 3}, new int[] {1, 1}, "same", Activation.RELU, true)
                        .kernelInitializer(Initializer.heNormal()).biasInitializer(Initializer.ones())
                        .kernelRegularizer(Regularizers.l1(0.001)), new int[] {6, 6, 2}),
                new Case(() -> new Conv2D(2, new int[] {2, 2}, new int[] {2, 2}, "valid", Activation.LINEAR, false)
                        .kernelInitializer(Initializer.orthogonal(0.5f)), new int[] {4, 4, 3}),
                new Case(() -> new Embedding(12, 4, true).embeddingsInitializer(Initializer.randomNormal(0f, 1f))
                        .embeddingsRegularizer(Regularizers.l1l2(0.01, 0.02)), new int[] {5}),
                new Case(() -> new LSTM(3, true).kernelInitializer(Initializer.glorotNormal())
                        .recurrentInitializer(Initializer.orthogonal(2f)).biasInitializer(Initializer.constant(0.3f))
                        .unitForgetBias(false).activation(Activation.RELU).recurrentActivation(Activation.SIGMOID)
                        .kernelRegularizer(Regularizers.l2(0.1)).recurrentRegularizer(Regularizers.l1(0.1)), new int[] {4, 2}),
                new Case(() -> new LSTM(2).useBias(false).recurrentInitializer(Initializer.truncatedNormal()), new int[] {3, 2}),
                new Case(() -> new MultiHeadAttention(2, 3).useBias(false).kernelInitializer(Initializer.heUniform()), new int[] {4, 6}),
                new Case(() -> new MultiHeadAttention(2, 3, true).biasInitializer(Initializer.constant(-0.2f)), new int[] {4, 6}));
    }

    @Test
    void aLayerRemadeFromItsSavedConfigDrawsTheSameWeights() throws Exception {
        for (Case c : cases()) {
            Layer original = c.make().get();
            String json = Json.write(original.config());
            @SuppressWarnings("unchecked")
            Layer remade = Layers.fromConfig(original.typeName(), (Map<String, Object>) Json.parse(json));
            assertEquals(json, Json.write(remade.config()), original.typeName());
            try (Scope s = Scope.open("weights")) {
                original.build(c.inputShape(), null, 42);
                remade.build(c.inputShape(), null, 42);
                assertEquals(original.parameters().keySet(), remade.parameters().keySet(), json);
                for (String name : original.parameters().keySet()) {
                    assertArrayEquals(original.parameters().get(name).toArray(), remade.parameters().get(name).toArray(),
                            json + " " + name);
                }
            }
        }
    }

    @Test
    void aModelWithNonDefaultOptionsSavesAndLoads(@TempDir Path dir) {
        int k = 0;
        for (Case c : cases()) {
            Path file = dir.resolve("m" + k++ + ".safetensors");
            try (Scope s = Scope.open("case"); Sequential model = new Sequential(c.make().get()).seed(3)) {
                model.build(c.inputShape());
                model.save(file);
                try (Sequential loaded = Sequential.load(file)) {
                    assertEquals(Json.write(model.architecture()), Json.write(loaded.architecture()));
                    var a = model.namedParameters();
                    var b = loaded.namedParameters();
                    assertEquals(a.keySet(), b.keySet());
                    a.forEach((name, t) -> assertArrayEquals(t.toArray(), b.get(name).toArray(), name));
                }
            }
        }
    }

    @Test
    void useBiasFalseMakesNoBias() {
        try (Scope s = Scope.open("t")) {
            LSTM lstm = new LSTM(2).useBias(false);
            lstm.build(new int[] {3, 2}, null, 1);
            assertEquals(List.of("kernel", "recurrent_kernel"), List.copyOf(lstm.parameters().keySet()));
            MultiHeadAttention mha = new MultiHeadAttention(1, 2).useBias(false);
            mha.build(new int[] {3, 4}, null, 1);
            assertFalse(mha.parameters().keySet().stream().anyMatch(n -> n.endsWith("bias")));
        }
    }

    @Test
    void unitForgetBiasSetsTheForgetGatesBiasToOneOverTheInitializer() {
        try (Scope s = Scope.open("t")) {
            LSTM on = new LSTM(2).biasInitializer(Initializer.constant(0.5f));
            on.build(new int[] {3, 2}, null, 1);
            assertArrayEquals(new float[] {0.5f, 0.5f, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f}, on.parameters().get("bias").toArray());
            LSTM off = new LSTM(2).unitForgetBias(false).biasInitializer(Initializer.constant(0.5f));
            off.build(new int[] {3, 2}, null, 1);
            assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f}, off.parameters().get("bias").toArray());
            LSTM byDefault = new LSTM(2);
            byDefault.build(new int[] {3, 2}, null, 1);
            assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 0, 0}, byDefault.parameters().get("bias").toArray());
        }
    }

    /**
     * The step-by-step path (any non-default activation) against a plain-Java LSTM, and the same
     * reference with sigmoid gates against the fused LSTM, on masked input.
     */
    @Test
    void stepByStepLstmFollowsKerasEquationsOnMaskedInput() {
        try (Scope s = Scope.open("t")) {
            Tensor x = Tensor.normal(new int[] {2, 4, 2}, 0f, 1f, 8);
            Tensor mask = Tensor.of(new float[] {1, 1, 0, 0, 1, 1, 1, 0}, 2, 4);
            LSTM fused = new LSTM(3, true);
            fused.build(new int[] {4, 2}, null, 5);
            assertArrayEquals(referenceLstm(x.toArray(), mask.toArray(), fused, 4, 2, 3, false),
                    fused.call(x, mask, false).toArray(), 1e-5f);
            LSTM loop = new LSTM(3, true).recurrentActivation(Activation.TANH);
            loop.build(new int[] {4, 2}, null, 5);
            assertArrayEquals(referenceLstm(x.toArray(), mask.toArray(), loop, 4, 2, 3, true),
                    loop.call(x, mask, false).toArray(), 1e-5f);
        }
    }

    private static float[] referenceLstm(float[] x, float[] mask, LSTM l, int t, int f, int u, boolean tanhGates) {
        int n = 2;
        float[] w = l.parameters().get("kernel").toArray();
        float[] r = l.parameters().get("recurrent_kernel").toArray();
        float[] b = l.parameters().get("bias").toArray();
        float[] out = new float[n * t * u];
        for (int i = 0; i < n; i++) {
            double[] h = new double[u];
            double[] c = new double[u];
            for (int s = 0; s < t; s++) {
                double[] z = new double[4 * u];
                for (int g = 0; g < 4 * u; g++) {
                    double v = b[g];
                    for (int q = 0; q < f; q++) {
                        v += x[(i * t + s) * f + q] * w[q * 4 * u + g];
                    }
                    for (int q = 0; q < u; q++) {
                        v += h[q] * r[q * 4 * u + g];
                    }
                    z[g] = v;
                }
                if (mask[i * t + s] != 0) {
                    for (int q = 0; q < u; q++) {
                        double ig = gate(z[q], tanhGates);
                        double fg = gate(z[u + q], tanhGates);
                        double gg = Math.tanh(z[2 * u + q]);
                        double og = gate(z[3 * u + q], tanhGates);
                        c[q] = fg * c[q] + ig * gg;
                        h[q] = og * Math.tanh(c[q]);
                    }
                }
                for (int q = 0; q < u; q++) {
                    out[(i * t + s) * u + q] = (float) h[q];
                }
            }
        }
        return out;
    }

    private static double gate(double z, boolean tanh) {
        return tanh ? Math.tanh(z) : 1 / (1 + Math.exp(-z));
    }

    @Test
    void optionsAreSetBeforeTheLayerIsBuilt() {
        try (Scope s = Scope.open("t")) {
            Dense d = new Dense(2);
            d.build(new int[] {3}, null, 1);
            var e = assertThrows(IllegalStateException.class, () -> d.kernelInitializer(Initializer.ones()));
            assertTrue(e.getMessage().contains("before the layer is built"), e.getMessage());
        }
    }
}
