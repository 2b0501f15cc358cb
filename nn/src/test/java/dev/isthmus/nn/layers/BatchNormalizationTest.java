package dev.isthmus.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.model.Fit;
import dev.isthmus.nn.model.Model;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.nn.testkit.GradientCheck;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BatchNormalization against Keras's training and inference formulas, finite differences, freezing and saving. */
class BatchNormalizationTest {
    @Test
    void trainingUsesTheBatchAndMovesTheStatisticsInferenceUsesThem() {
        try (Scope s = Scope.open("test")) {
            BatchNormalization bn = new BatchNormalization(0.9f, 1e-3f, true, true);
            bn.build(new int[] {2, 3}, s, 1);
            float[] gamma = {1.5f, 0.5f, 2f};
            float[] beta = {0.1f, -0.2f, 0.3f};
            float[] movingMean = {0.2f, -0.1f, 0.05f};
            float[] movingVariance = {1.2f, 0.8f, 2f};
            bn.setWeights(gamma, beta, movingMean, movingVariance);
            Tensor x = Tensor.uniform(new int[] {4, 2, 3}, -2f, 3f, 5);
            float[] v = x.toArray();
            float[] y = bn.call(x, true).toArray();
            for (int c = 0; c < 3; c++) {
                double mean = 0;
                for (int i = c; i < v.length; i += 3) {
                    mean += v[i];
                }
                mean /= 8;
                double var = 0;
                for (int i = c; i < v.length; i += 3) {
                    var += (v[i] - mean) * (v[i] - mean);
                }
                var /= 8;
                for (int i = c; i < v.length; i += 3) {
                    assertEquals((v[i] - mean) / Math.sqrt(var + 1e-3) * gamma[c] + beta[c], y[i], 1e-5, "training " + i);
                }
                // Keras: moving = moving * momentum + batch * (1 - momentum), the batch variance biased
                assertEquals(movingMean[c] * 0.9 + mean * 0.1, bn.parameters().get("moving_mean").toArray()[c], 1e-6);
                assertEquals(movingVariance[c] * 0.9 + var * 0.1, bn.parameters().get("moving_variance").toArray()[c], 1e-6);
            }
            float[] mm = bn.parameters().get("moving_mean").toArray();
            float[] mv = bn.parameters().get("moving_variance").toArray();
            float[] inference = bn.call(x, false).toArray();
            for (int i = 0; i < v.length; i++) {
                int c = i % 3;
                assertEquals((v[i] - mm[c]) / Math.sqrt(mv[c] + 1e-3) * gamma[c] + beta[c], inference[i], 1e-5, "inference " + i);
            }
            assertArrayEquals(mm, bn.parameters().get("moving_mean").toArray(), 0f, "inference moves nothing");
        }
    }

    @Test
    void gradientsInTrainingMatchFiniteDifferences() {
        try (Scope s = Scope.open("test")) {
            BatchNormalization bn = new BatchNormalization();
            bn.build(new int[] {4}, s, 1);
            bn.setWeights(new float[] {1.5f, 0.7f, 1f, 2f}, new float[] {0.1f, 0f, -0.3f, 0.2f}, new float[4],
                    new float[] {1, 1, 1, 1});
            GradientCheck.standard().check("batch normalization", in -> bn.call(in.get(0), true), Tensor.uniform(new int[] {6, 4}, -2f, 2f, 3),
                    bn.parameters().get("gamma"), bn.parameters().get("beta"));
        }
    }

    @Test
    void movingStatisticsAreNonTrainableAndAFrozenLayerRunsInInference(@TempDir Path dir) {
        Tensor x = Tensor.uniform(new int[] {64, 5}, -1f, 3f, 6);
        Tensor y = x.sum(new int[] {1}, true);
        try (Sequential m = new Sequential(new Dense(8), new BatchNormalization(), new Dense(1)).seed(2)) {
            m.build(5);
            BatchNormalization bn = (BatchNormalization) m.layers().get(1);
            assertEquals(32, bn.parameterCount());
            assertEquals(16, bn.trainableParameterCount());
            assertFalse(bn.parameters().get("moving_mean").requiresGrad());
            assertTrue(m.trainableParameters().stream().noneMatch(p -> p == bn.parameters().get("moving_mean")
                    || p == bn.parameters().get("moving_variance")));
            m.compile(new Adam(0.01f), Losses.mse());
            m.fit(x, y, Fit.epochs(3).batchSize(16).verbose(0));
            float[] moved = bn.parameters().get("moving_mean").toArray();
            assertTrue(moved[0] != 0f, "the moving mean moved in training");
            bn.setTrainable(false);
            assertFalse(bn.parameters().get("moving_mean").requiresGrad());
            bn.setTrainable(true);
            assertFalse(bn.parameters().get("moving_mean").requiresGrad(), "unfreezing leaves the statistics non-trainable");
            bn.setTrainable(false);
            m.fit(x, y, Fit.epochs(1).batchSize(16).verbose(0));
            assertArrayEquals(moved, bn.parameters().get("moving_mean").toArray(), 0f, "a frozen layer runs in inference");
            float[] before = m.predict(x, 64).toArray();
            Path file = dir.resolve("bn.safetensors");
            m.save(file);
            try (Model back = Model.load(file)) {
                assertArrayEquals(before, back.predict(x, 64).toArray(), 0f);
            }
        }
    }
}
