package dev.isthmus.bench.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Layer;
import dev.isthmus.nn.layers.LayerNormalization;
import dev.isthmus.nn.layers.MultiHeadAttention;
import dev.isthmus.nn.layers.TokenAndPositionEmbedding;
import dev.isthmus.nn.model.Model;
import dev.isthmus.nn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The bench's GPT ({@code Workloads.network("gpt", ...)}: token + position embedding, pre-norm
 * blocks of causal multi-head attention and a ReLU MLP, each added to its input, a last layer norm
 * and the output tied to the token embedding) rebuilt in PyTorch from the Isthmus model's weights,
 * as a PyTorch user writes it: {@code nn.Linear} projections (weights [out, in]), layer norms with
 * Keras's epsilon (1e-3), the causal mask as an additive bias on the scores, cross-entropy of
 * log-softmax over every position.
 */
final class TorchGpt implements TorchNet {
    private final List<NDArray> parameters = new ArrayList<>();
    private final NDArray tokens;
    private final NDArray positions;
    private final List<Norm> norms = new ArrayList<>();
    private final List<Attention> attentions = new ArrayList<>();
    private final List<Linear> linears = new ArrayList<>();
    private final int heads;
    private final int keyDim;
    private final NDArray causal;

    private record Norm(NDArray gamma, NDArray beta, float epsilon) {
    }

    private record Linear(NDArray w, NDArray b) {
    }

    private record Attention(Linear q, Linear k, Linear v, Linear o) {
    }

    TorchGpt(Model ours, NDManager manager) {
        TokenAndPositionEmbedding embedding = null;
        int h = 0;
        int kd = 0;
        for (Layer layer : ours.layers()) {
            Map<String, Tensor> w = layer.parameters();
            Map<String, Object> config = layer.config();
            switch (layer) {
                case TokenAndPositionEmbedding e -> embedding = e;
                case LayerNormalization n -> norms.add(new Norm(trainable(TorchModel.copy(manager, w.get("gamma"))),
                        trainable(TorchModel.copy(manager, w.get("beta"))), ((Number) config.get("epsilon")).floatValue()));
                case MultiHeadAttention a -> {
                    h = (Integer) config.get("num_heads");
                    kd = (Integer) config.get("key_dim");
                    attentions.add(new Attention(projection(manager, w, "query"), projection(manager, w, "key"),
                            projection(manager, w, "value"), output(manager, w)));
                }
                case Dense d -> linears.add(new Linear(trainable(TorchModel.copy(manager, w.get("kernel"), 1, 0)),
                        trainable(TorchModel.copy(manager, w.get("bias")))));
                default -> {
                    if (!layer.typeName().equals("Add") && !layer.typeName().equals("InputLayer")) {
                        throw new IllegalArgumentException("no PyTorch translation for layer " + layer.typeName()
                                + " in the gpt model");
                    }
                }
            }
        }
        if (embedding == null || norms.size() != 2 * attentions.size() + 1 || linears.size() != 2 * attentions.size()) {
            throw new IllegalArgumentException("the gpt model is not embedding + pre-norm blocks + norm: "
                    + ours.layers().stream().map(Layer::typeName).toList());
        }
        Map<String, Tensor> e = embedding.parameters();
        tokens = trainable(TorchModel.copy(manager, e.get("token_embeddings")));
        positions = trainable(TorchModel.copy(manager, e.get("position_embeddings")));
        heads = h;
        keyDim = kd;
        int t = (int) positions.getShape().get(0);
        float[] bias = new float[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = i + 1; j < t; j++) {
                bias[i * t + j] = -1e9f; // as MultiHeadAttention masks later steps
            }
        }
        causal = manager.create(bias, new Shape(1, 1, t, t));
    }

    /** A [d, heads, keyDim] kernel and [heads, keyDim] bias as one nn.Linear(d, heads * keyDim). */
    private Linear projection(NDManager manager, Map<String, Tensor> w, String name) {
        Tensor kernel = w.get(name + "_kernel");
        int d = kernel.shape()[0];
        return new Linear(trainable(TorchModel.copy(manager, kernel.reshape(d, -1), 1, 0)),
                trainable(TorchModel.copy(manager, w.get(name + "_bias").reshape(-1))));
    }

    private Linear output(NDManager manager, Map<String, Tensor> w) {
        Tensor kernel = w.get("output_kernel");
        int d = kernel.shape()[2];
        return new Linear(trainable(TorchModel.copy(manager, kernel.reshape(-1, d), 1, 0)),
                trainable(TorchModel.copy(manager, w.get("output_bias"))));
    }

    private NDArray trainable(NDArray a) {
        a.setRequiresGradient(true);
        parameters.add(a);
        return a;
    }

    private static NDArray linear(NDArray x, Linear l) {
        return x.getNDArrayInternal().linear(x, l.w(), l.b()).singletonOrThrow();
    }

    private static NDArray norm(NDArray x, Norm n) {
        NDArrayEx ex = x.getNDArrayInternal();
        return ex.layerNorm(x, new Shape(x.getShape().get(x.getShape().dimension() - 1)), n.gamma(), n.beta(), n.epsilon())
                .singletonOrThrow();
    }

    /** Logits [n * t, vocabulary] of token ids [n, t]. */
    NDArray logits(NDArray x) {
        long n = x.getShape().get(0);
        long t = x.getShape().get(1);
        long d = tokens.getShape().get(1);
        NDArray h = x.getNDArrayInternal().embedding(x, tokens, SparseFormat.DENSE).singletonOrThrow()
                .add(positions.get("0:" + t));
        for (int b = 0; b < attentions.size(); b++) {
            Attention a = attentions.get(b);
            NDArray in = norm(h, norms.get(2 * b));
            NDArray q = linear(in, a.q()).reshape(n, t, heads, keyDim).transpose(0, 2, 1, 3);
            NDArray k = linear(in, a.k()).reshape(n, t, heads, keyDim).transpose(0, 2, 3, 1);
            NDArray v = linear(in, a.v()).reshape(n, t, heads, keyDim).transpose(0, 2, 1, 3);
            NDArray weights = q.matMul(k).mul((float) (1 / Math.sqrt(keyDim))).add(causal.get(":, :, 0:" + t + ", 0:" + t))
                    .softmax(-1);
            NDArray attended = weights.matMul(v).transpose(0, 2, 1, 3).reshape(n, t, heads * keyDim);
            h = h.add(linear(attended, a.o()));
            NDArray m = norm(h, norms.get(2 * b + 1));
            NDArray f = linear(linear(m, linears.get(2 * b)).getNDArrayInternal().relu(), linears.get(2 * b + 1));
            h = h.add(f);
        }
        return norm(h, norms.getLast()).reshape(n * t, d).matMul(tokens.transpose());
    }

    @Override
    public NDArray loss(NDArray x, NDArray y, boolean train) {
        return logits(x).logSoftmax(1).gather(y.reshape(-1, 1), 1).mean().neg();
    }

    @Override
    public List<NDArray> parameters() {
        return parameters;
    }
}
