package dev.isthmus.nn.explain;

import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Conv2D;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Embedding;
import dev.isthmus.nn.layers.Flatten;
import dev.isthmus.nn.layers.LSTM;
import dev.isthmus.nn.layers.MaxPooling2D;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttributionsTest {
    /** Completeness: a sample's attributions add up to f(x) - f(baseline), within 1% at 64 steps for a smooth model. */
    @Test
    void integratedGradientsAreComplete() {
        try (Sequential m = new Sequential(new Conv2D(4, 3, Activation.TANH), new Flatten(),
                new Dense(8, Activation.TANH), new Dense(3, Activation.SOFTMAX)).seed(3)) {
            complete(m, 64);
        }
    }

    /** Max pooling's kinks make the path's gradient jump: the sum still converges, with more steps. */
    @Test
    void integratedGradientsThroughMaxPoolingConvergeWithMoreSteps() {
        try (Sequential m = new Sequential(new Conv2D(4, 3, Activation.RELU), new MaxPooling2D(2), new Flatten(),
                new Dense(8, Activation.TANH), new Dense(3, Activation.SOFTMAX)).seed(3)) {
            complete(m, 512);
        }
    }

    private static void complete(Sequential m, int steps) {
        try (Scope ignored = Scope.open()) {
            m.build(8, 8, 1);
            Tensor x = Tensor.uniform(new int[] {2, 8, 8, 1}, -1, 1, 4);
            Tensor baseline = Tensor.uniform(new int[] {2, 8, 8, 1}, -0.2f, 0.2f, 5);
            for (int target = 0; target < 3; target++) {
                float[] a = Attributions.integratedGradients(m, x, baseline, target, steps).toArray();
                float[] fx = m.forward(x, false).toArray();
                float[] fb = m.forward(baseline, false).toArray();
                for (int i = 0; i < 2; i++) {
                    double sum = 0;
                    for (int j = 0; j < 64; j++) {
                        sum += a[i * 64 + j];
                    }
                    double want = fx[i * 3 + target] - fb[i * 3 + target];
                    assertEquals(want, sum, 0.01 * Math.abs(want) + 1e-6, "sample " + i + " output " + target);
                }
            }
            for (Tensor p : m.parameters()) {
                assertTrue(p.grad() == null || p.grad().abs().sum().item() == 0f, "the model's gradients are left zero");
            }
        }
    }

    /** A model that reads only pixel (2, 3) has zero saliency everywhere else, and not there. */
    @Test
    void saliencyOfAModelReadingOnePixel() {
        try (Sequential m = new Sequential(new Flatten(), new Dense(4, Activation.TANH), new Dense(1)).seed(6);
             Scope ignored = Scope.open()) {
            m.build(5, 6, 1);
            float[] kernel = new float[30 * 4];
            int pixel = 2 * 6 + 3;
            for (int u = 0; u < 4; u++) {
                kernel[pixel * 4 + u] = 0.5f + u;
            }
            m.layers().get(1).setWeights(kernel, new float[] {0.1f, -0.2f, 0.3f, 0f});
            float[] s = Attributions.saliency(m, Tensor.uniform(new int[] {3, 5, 6, 1}, -1, 1, 7), 0).toArray();
            for (int i = 0; i < 3; i++) {
                for (int p = 0; p < 30; p++) {
                    if (p == pixel) {
                        assertNotEquals(0f, s[i * 30 + p], "the read pixel");
                    } else {
                        assertEquals(0f, s[i * 30 + p], "pixel " + p + " of sample " + i);
                    }
                }
            }
        }
    }

    /** Per-token attributions of a masked text model: complete against the zero embedding, zero at padding. */
    @Test
    void tokenAttributionsAreCompleteAndZeroAtPadding() {
        try (Sequential m = new Sequential(new Embedding(30, 6, true), new LSTM(5), new Dense(2, Activation.SOFTMAX))
                .seed(8); Scope ignored = Scope.open()) {
            m.build(7);
            Tensor ids = Tensor.of(new int[] {3, 9, 4, 0, 0, 0, 0, 12, 1, 2, 5, 6, 7, 8}, 2, 7);
            float[] a = Attributions.tokenAttributions(m, ids, 1, 64).toArray();
            float[] fx = m.forward(ids, false).toArray();
            // the baseline: every embedding zero, the mask as the ids give it
            Tensor zeros = Tensor.zeros(2, 7, 6);
            Tensor mask = Tensor.of(new float[] {1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1}, 2, 7);
            float[] fb = m.layers().get(2).call(java.util.List.of(m.layers().get(1).call(java.util.List.of(zeros),
                    java.util.List.of(mask), false)), java.util.Collections.singletonList(null), false).toArray();
            for (int i = 0; i < 2; i++) {
                double sum = 0;
                for (int t = 0; t < 7; t++) {
                    sum += a[i * 7 + t];
                }
                double want = fx[i * 2 + 1] - fb[i * 2 + 1];
                assertEquals(want, sum, 0.01 * Math.abs(want) + 1e-6, "sample " + i);
            }
            for (int t = 3; t < 7; t++) {
                assertEquals(0f, a[t], "padding token " + t);
            }
        }
    }

    @Test
    void badArgumentsAreRefused() {
        try (Sequential m = new Sequential(new Dense(2)).seed(1); Scope ignored = Scope.open()) {
            m.build(3);
            Tensor x = Tensor.zeros(1, 3);
            assertThrows(IllegalArgumentException.class, () -> Attributions.saliency(m, x, 2));
            assertThrows(IllegalArgumentException.class, () -> Attributions.integratedGradients(m, x, null, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> Attributions.integratedGradients(m, x, Tensor.zeros(2, 3), 0, 8));
            assertThrows(IllegalArgumentException.class, () -> Attributions.tokenAttributions(m, x, 0, 8));
        }
    }
}
