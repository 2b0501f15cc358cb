package dev.isthmus.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isthmus.nn.model.Model;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.nn.testkit.GradientCheck;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LayerNormalization against Keras's formula in double, finite differences, its config and saving. */
class LayerNormalizationTest {
    @Test
    void normalisesEachSampleOverTheLastAxisAsKerasDoes() {
        try (Scope s = Scope.open("test")) {
            LayerNormalization ln = new LayerNormalization();
            ln.build(new int[] {3, 10}, s, 1);
            assertEquals(Map.of("gamma", 10L, "beta", 10L), Map.of("gamma", ln.parameters().get("gamma").numel(),
                    "beta", ln.parameters().get("beta").numel()));
            assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, ln.parameters().get("gamma").toArray());
            float[] gamma = Tensor.uniform(new int[] {10}, 0.5f, 1.5f, 2).toArray();
            float[] beta = Tensor.uniform(new int[] {10}, -1f, 1f, 3).toArray();
            ln.setWeights(gamma, beta);
            // rows of very different scales: the epsilon (1e-3) matters for the small one
            Tensor x = Tensor.uniform(new int[] {4, 3, 10}, -1f, 1f, 4).mul(Tensor.of(new float[] {1, 0.01f, 30}, 1, 3, 1));
            float[] y = ln.call(x, true).toArray();
            float[] v = x.toArray();
            for (int r = 0; r < 12; r++) {
                double mean = 0;
                for (int j = 0; j < 10; j++) {
                    mean += v[r * 10 + j];
                }
                mean /= 10;
                double var = 0;
                for (int j = 0; j < 10; j++) {
                    var += (v[r * 10 + j] - mean) * (v[r * 10 + j] - mean);
                }
                var /= 10;
                for (int j = 0; j < 10; j++) {
                    double want = (v[r * 10 + j] - mean) / Math.sqrt(var + 1e-3) * gamma[j] + beta[j];
                    assertEquals(want, y[r * 10 + j], 1e-5 * Math.max(1, Math.abs(want)), "row " + r + " feature " + j);
                }
            }
            // the same in inference
            assertArrayEquals(y, ln.call(x, false).toArray(), 0f);
        }
    }

    @Test
    void gradientsOfInputGammaAndBetaMatchFiniteDifferences() {
        try (Scope s = Scope.open("test")) {
            LayerNormalization ln = new LayerNormalization(1e-3f, true, true);
            ln.build(new int[] {6}, s, 1);
            ln.setWeights(Tensor.uniform(new int[] {6}, 0.5f, 1.5f, 5).toArray(), Tensor.uniform(new int[] {6}, -1, 1, 6).toArray());
            GradientCheck.standard().check("layer normalization", in -> ln.call(in.get(0), true),
                    Tensor.uniform(new int[] {5, 6}, -2f, 2f, 7), ln.parameters().get("gamma"), ln.parameters().get("beta"));
            LayerNormalization plain = new LayerNormalization(1e-3f, false, false);
            plain.build(new int[] {2, 5}, s, 1);
            assertEquals(0, plain.parameterCount());
            GradientCheck.standard().check("layer normalization without gamma and beta", in -> plain.call(in.get(0), true),
                    Tensor.uniform(new int[] {3, 2, 5}, -2f, 2f, 8));
        }
    }

    @Test
    void savesAndLoadsWithKerasNamesAndRefusesOtherAxes(@TempDir Path dir) throws Exception {
        Map<String, Object> c = new LayerNormalization(1e-5f, false, true).config();
        assertEquals(Map.of("axis", -1, "epsilon", (double) 1e-5f, "center", false, "scale", true), c);
        try (Sequential m = new Sequential(new Dense(8), new LayerNormalization(), new Dense(2)).seed(4)) {
            m.build(new int[] {5});
            Tensor x = Tensor.uniform(new int[] {3, 5}, -1, 1, 9);
            float[] before = m.predict(x, 3).toArray();
            Path file = dir.resolve("ln.safetensors");
            m.save(file);
            try (Model back = Model.load(file)) {
                assertArrayEquals(before, back.predict(x, 3).toArray(), 0f);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Layers.fromConfig("LayerNormalization",
                Map.of("axis", 1L, "epsilon", 1e-3, "center", true, "scale", true)));
    }
}
