package dev.isthmus.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.model.Fit;
import dev.isthmus.nn.model.History;
import dev.isthmus.nn.model.Model;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.nn.testkit.GradientCheck;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token + position embedding against its definition, its gradients; a sequence loss over every
 * step; and a one-block causal Transformer (the GPT sample's shape) learning a next-token task.
 */
class TokenAndPositionEmbeddingTest {
    @Test
    void eachStepIsItsTokensVectorPlusItsPositionsVector() {
        try (Scope s = Scope.open("test")) {
            TokenAndPositionEmbedding e = new TokenAndPositionEmbedding(7, 5, 3);
            e.build(new int[] {4}, s, 1);
            float[] tokens = e.parameters().get("token_embeddings").toArray();
            float[] positions = e.parameters().get("position_embeddings").toArray();
            int[] ids = {6, 0, 3, 3, 1, 2, 5, 4};
            float[] y = e.call(Tensor.of(dev.isthmus.nn.tensor.Device.CPU, ids, 2, 4), false).toArray();
            for (int b = 0; b < 2; b++) {
                for (int t = 0; t < 4; t++) {
                    for (int j = 0; j < 3; j++) {
                        assertEquals(tokens[ids[b * 4 + t] * 3 + j] + positions[t * 3 + j], y[(b * 4 + t) * 3 + j], 0f);
                    }
                }
            }
            assertThrows(IllegalArgumentException.class, () -> e.computeOutputShape(new int[] {6}));
            // both tables' gradients (the token table's only where ids occur)
            GradientCheck.standard().check("token and position embedding",
                    in -> e.call(Tensor.of(dev.isthmus.nn.tensor.Device.CPU, ids, 2, 4), true).square(),
                    e.parameters().get("token_embeddings"), e.parameters().get("position_embeddings"));
        }
    }

    @Test
    void sparseCrossEntropyTakesEveryStepOfASequenceAsKerasDoes() {
        Tensor logits = Tensor.uniform(new int[] {2, 3, 4}, -2, 2, 3);
        Tensor labels = Tensor.of(new float[] {0, 3, 1, 2, 2, 0}, 2, 3);
        float perStep = Losses.sparseCategoricalCrossentropy(true).compute(labels.reshape(6), logits.reshape(6, 4)).item();
        assertEquals(perStep, Losses.sparseCategoricalCrossentropy(true).compute(labels, logits).item(), 1e-6f);
        assertThrows(ShapeMismatchException.class,
                () -> Losses.sparseCategoricalCrossentropy(true).compute(Tensor.of(new float[] {0, 1}, 2), logits));
    }

    /** Ids [n, t] whose next id is always (id + 1) mod vocabulary, and those next ids. */
    private static Tensor[] counting(int n, int t, int vocabulary, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        int[] x = new int[n * t];
        float[] y = new float[n * t];
        for (int i = 0; i < n; i++) {
            int v = r.nextInt(vocabulary);
            for (int j = 0; j < t; j++) {
                x[i * t + j] = v;
                v = (v + 1) % vocabulary;
                y[i * t + j] = v;
            }
        }
        return new Tensor[] {Tensor.of(dev.isthmus.nn.tensor.Device.CPU, x, n, t), Tensor.of(y, n, t)};
    }

    @Test
    void aCausalTransformerBlockLearnsTheNextTokenAndRoundTrips(@TempDir Path dir) {
        int vocabulary = 11;
        int t = 8;
        SymbolicTensor in = Input.of(t);
        SymbolicTensor h = new TokenAndPositionEmbedding(vocabulary, t, 16).apply(in);
        SymbolicTensor a = new MultiHeadAttention(2, 8, true).apply(new LayerNormalization().apply(h));
        h = new Add().apply(h, a);
        SymbolicTensor m = new Dense(16).apply(new Dense(32, Activation.RELU).apply(new LayerNormalization().apply(h)));
        h = new Add().apply(h, m);
        SymbolicTensor logits = new Dense(vocabulary).apply(new LayerNormalization().apply(h));
        Tensor[] d = counting(256, t, vocabulary, 5);
        try (Model model = new Model("gpt", List.of(in), List.of(logits), 2)) {
            model.compile(new Adam(0.01f), Losses.sparseCategoricalCrossentropy(true));
            History hist = model.fit(d[0], d[1], Fit.epochs(15).batchSize(32).verbose(0));
            double last = hist.last("loss");
            assertTrue(last < 0.2, "loss " + hist.history().get("loss"));
            Tensor probe = counting(4, t, vocabulary, 9)[0];
            float[] before = model.predict(probe, 4).toArray();
            Path file = dir.resolve("gpt.safetensors");
            model.save(file);
            try (Model back = Model.load(file)) {
                assertArrayEquals(before, back.predict(probe, 4).toArray(), 0f);
            }
        }
    }

    @Test
    void appliedToHiddenStatesTheSameLayerIsTheTiedOutput(@TempDir Path dir) {
        int vocabulary = 9;
        int t = 4;
        SymbolicTensor in = Input.of(t);
        TokenAndPositionEmbedding embedding = new TokenAndPositionEmbedding(vocabulary, t, 6);
        SymbolicTensor h = new Dense(6, Activation.TANH).apply(embedding.apply(in));
        SymbolicTensor logits = embedding.apply(h);
        assertArrayEquals(new int[] {t, vocabulary}, logits.shape());
        int[] ids = {1, 8, 0, 3, 2, 2, 7, 5};
        Tensor x = Tensor.of(dev.isthmus.nn.tensor.Device.CPU, ids, 2, t);
        try (Model model = new Model("tied", List.of(in), List.of(logits), 4)) {
            // one table: the embedding's 9 x 6 and 4 x 6, the Dense's 6 x 6 + 6, no output weights
            assertEquals(9 * 6 + 4 * 6 + 6 * 6 + 6, model.layers().stream().mapToLong(Layer::parameterCount).sum());
            Tensor table = embedding.parameters().get("token_embeddings");
            float[] got = model.predict(List.of(x), 2).getFirst().toArray();
            Dense dense = (Dense) model.layers().get(1);
            Tensor hidden = dense.call(embedding.call(x, false), false);
            float[] want = hidden.reshape(2 * t, 6).matmul(table.transpose()).toArray();
            assertArrayEquals(want, got, 1e-6f);
            // the table's gradient sums both uses
            GradientCheck.standard().check("tied embedding", l -> model.forward(List.of(x), true).getFirst(), table);
            Path file = dir.resolve("tied.safetensors");
            model.save(file);
            try (Model back = Model.load(file)) {
                assertArrayEquals(got, back.predict(List.of(x), 2).getFirst().toArray(), 0f);
            }
        }
    }
}
