package dev.isthmus.nn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Embedding;
import dev.isthmus.nn.layers.LSTM;
import dev.isthmus.nn.layers.Layer;
import dev.isthmus.nn.layers.WeightShapeException;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** setTrainable(false) freezes a layer; getWeights/setWeights move weights in Keras's order with checked shapes. */
class FreezingAndWeightsTest {
    private static final Tensor X = Tensor.uniform(new int[] {32, 4}, -1, 1, 1);
    private static final Tensor Y = Tensor.uniform(new int[] {32, 2}, -1, 1, 2);

    private static int[] bits(Tensor t) {
        float[] f = t.toArray();
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }

    @Test
    void aFrozenLayersWeightsAreBitIdenticalAfterTrainingWhileTheOthersMoveAndHaveNoOptimizerSlots() {
        Dense base = new Dense(8, Activation.RELU);
        Dense head = new Dense(2);
        try (Sequential m = new Sequential(base, head).seed(4)) {
            m.build(4);
            base.setTrainable(false);
            Map<String, int[]> before = new java.util.LinkedHashMap<>();
            m.namedParameters().forEach((k, v) -> before.put(k, bits(v)));
            Adam adam = new Adam(0.01f);
            m.compile(adam, Losses.mse());
            m.fit(X, Y, Fit.epochs(3).batchSize(8).verbose(0));
            assertArrayEquals(before.get("0.kernel"), bits(base.parameters().get("kernel")));
            assertArrayEquals(before.get("0.bias"), bits(base.parameters().get("bias")));
            assertFalse(java.util.Arrays.equals(before.get("1.kernel"), bits(head.parameters().get("kernel"))), "the head trains");
            assertNull(base.parameters().get("kernel").grad(), "no gradient is computed for a frozen weight");
            assertEquals(java.util.Set.of("1.kernel.m", "1.kernel.v", "1.bias.m", "1.bias.v"),
                    adam.state(m.namedParameters()).keySet());
            assertEquals(List.of(head.parameters().get("kernel"), head.parameters().get("bias")), m.trainableParameters());

            base.setTrainable(true); // unfrozen: it trains from the next step
            m.fit(X, Y, Fit.epochs(1).batchSize(8).verbose(0));
            assertFalse(java.util.Arrays.equals(before.get("0.kernel"), bits(base.parameters().get("kernel"))));
        }
    }

    @Test
    void freezingBeforeTheBuildAppliesWhenTheWeightsAreMade() {
        Dense base = new Dense(3);
        base.setTrainable(false);
        assertFalse(base.trainable());
        try (Sequential m = new Sequential(base, new Dense(2)).seed(1)) {
            m.build(4);
            assertFalse(base.parameters().get("kernel").requiresGrad());
            String s = m.summary();
            // base: 4·3 + 3 = 15 frozen; head: 3·2 + 2 = 8 trainable
            assertTrue(s.contains("Total params: 23 (92 B)"), s);
            assertTrue(s.contains("Trainable params: 8 (32 B)"), s);
            assertTrue(s.contains("Non-trainable params: 15 (60 B)"), s);
        }
    }

    @Test
    void getWeightsReturnsCopiesInKerasOrderAndSetWeightsRoundTrips() {
        try (Sequential a = new Sequential(new Embedding(10, 4), new LSTM(3), new Dense(2)).seed(1);
             Sequential b = new Sequential(new Embedding(10, 4), new LSTM(3), new Dense(2)).seed(2)) {
            a.build(5);
            b.build(5);
            List<Tensor> w = a.getWeights();
            assertEquals(6, w.size());
            assertArrayEquals(new int[] {10, 4}, w.get(0).shape(), "embeddings");
            assertArrayEquals(new int[] {4, 12}, w.get(1).shape(), "LSTM kernel");
            assertArrayEquals(new int[] {3, 12}, w.get(2).shape(), "LSTM recurrent_kernel");
            assertArrayEquals(new int[] {12}, w.get(3).shape(), "LSTM bias");
            assertArrayEquals(new int[] {3, 2}, w.get(4).shape(), "Dense kernel");
            w.get(4).fillInPlace(7f);
            assertFalse(a.layers().get(2).parameters().get("kernel").toArray()[0] == 7f, "getWeights gives copies");
            b.setWeights(a.getWeights());
            Tensor probe = Tensor.of(new int[] {1, 2, 3, 4, 5}, 1, 5);
            assertArrayEquals(a.predict(probe).toArray(), b.predict(probe).toArray(), 0f);

            Layer dense = b.layers().get(2);
            dense.setWeights(new float[] {1, 2, 3, 4, 5, 6}, new float[] {0.5f, -0.5f});
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, dense.getWeights().get(0).toArray());
            assertArrayEquals(new float[] {0.5f, -0.5f}, dense.getWeights().get(1).toArray());
        }
    }

    @Test
    void aWrongShapeRaisesAWeightShapeExceptionNamingLayerWeightAndShapesAndWritesNothing() {
        try (Sequential m = new Sequential(new Dense(3), new Dense(2)).seed(1)) {
            m.build(4);
            List<Tensor> w = m.getWeights();
            float[] firstBefore = m.layers().get(0).parameters().get("kernel").toArray();
            List<Tensor> wrong = List.of(Tensor.zeros(4, 3), Tensor.zeros(3), Tensor.zeros(2, 3), w.get(3));
            var e = assertThrows(WeightShapeException.class, () -> m.setWeights(wrong));
            assertEquals("dense_1", e.layer());
            assertEquals("kernel", e.weight());
            assertArrayEquals(new int[] {3, 2}, e.expected());
            assertArrayEquals(new int[] {2, 3}, e.given());
            assertTrue(e.getMessage().contains("dense_1") && e.getMessage().contains("[3, 2]")
                    && e.getMessage().contains("[2, 3]"), e.getMessage());
            assertArrayEquals(firstBefore, m.layers().get(0).parameters().get("kernel").toArray(), 0f,
                    "all shapes are checked before any weight is written");
            assertThrows(IllegalArgumentException.class, () -> m.setWeights(w.subList(0, 3)));
            var arrays = assertThrows(WeightShapeException.class,
                    () -> m.layers().get(1).setWeights(new float[5], new float[2]));
            assertEquals("kernel", arrays.weight());
        }
    }
}
