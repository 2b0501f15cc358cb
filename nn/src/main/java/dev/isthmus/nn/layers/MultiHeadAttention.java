package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras {@code MultiHeadAttention}. Applied to one input it is self-attention (query = key = value)
 * and composes in a {@code Sequential}: [batch, time, features] → [batch, time, features]. In a
 * functional model it also takes {@code apply(query, value)} or {@code apply(query, value, key)}
 * (cross-attention, Keras's argument order): the output has the query's shape; value and key share
 * their time axis, and the value's padding mask (from {@code Embedding(maskZero)}) hides its padded
 * steps. Weights in Keras's layout: query/key/value kernels [their input's features, heads, keyDim]
 * with biases [heads, keyDim], output kernel [heads, keyDim, query features] with bias [query
 * features]; {@link #attentionScores} gives the softmax weights (Keras's
 * {@code return_attention_scores}). Scores are scaled by
 * 1/sqrt(keyDim); a causal mask hides later steps and a padding mask from
 * {@code Embedding(maskZero)} hides padded keys. Kernels Glorot uniform and biases zeros by
 * default (Keras's), others set before the layer is built; {@link #useBias(boolean)} false drops
 * the four biases.
 */
public final class MultiHeadAttention extends Layer {
    private static final float MASKED = -1e9f;

    private final int numHeads;
    private final int keyDim;
    private final boolean causal;
    private boolean useBias = true;
    private Initializer kernelInitializer = Initializer.glorotUniform();
    private Initializer biasInitializer = Initializer.zeros();

    /** {@code numHeads} heads of {@code keyDim}, attending over every step. */
    public MultiHeadAttention(int numHeads, int keyDim) {
        this(numHeads, keyDim, false);
    }

    /** As {@link #MultiHeadAttention(int, int)}; {@code causal} hides each step's later steps (Keras {@code use_causal_mask}). */
    public MultiHeadAttention(int numHeads, int keyDim, boolean causal) {
        if (numHeads <= 0 || keyDim <= 0) {
            throw new IllegalArgumentException("MultiHeadAttention needs numHeads > 0 and keyDim > 0, got "
                    + numHeads + " and " + keyDim);
        }
        this.numHeads = numHeads;
        this.keyDim = keyDim;
        this.causal = causal;
    }

    /** Whether the projections have biases (Keras {@code use_bias}, default true); before the layer is built. */
    public MultiHeadAttention useBias(boolean useBias) {
        requireUnbuilt("useBias");
        this.useBias = useBias;
        return this;
    }

    /** Sets the four kernels' initializer (Keras {@code kernel_initializer}); before the layer is built. */
    public MultiHeadAttention kernelInitializer(Initializer initializer) {
        requireUnbuilt("kernelInitializer");
        this.kernelInitializer = java.util.Objects.requireNonNull(initializer, "initializer");
        return this;
    }

    /** Sets the four biases' initializer (Keras {@code bias_initializer}); before the layer is built. */
    public MultiHeadAttention biasInitializer(Initializer initializer) {
        requireUnbuilt("biasInitializer");
        this.biasInitializer = java.util.Objects.requireNonNull(initializer, "initializer");
        return this;
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        if (s.length != 2) {
            throw new IllegalArgumentException("MultiHeadAttention expects [time, features] per sample, got "
                    + java.util.Arrays.toString(s));
        }
        return s;
    }

    /** Features of the value and key inputs of a cross-attention call; -1 for self-attention. */
    private int valueFeatures = -1;
    private int keyFeatures = -1;

    @Override
    public int[] computeOutputShape(java.util.List<int[]> shapes) {
        if (shapes.isEmpty() || shapes.size() > 3) {
            throw new IllegalArgumentException("MultiHeadAttention takes query, or query and value, or query, value and key;"
                    + " got " + shapes.size() + " inputs");
        }
        for (int[] s : shapes) {
            computeOutputShape(s.clone());
        }
        if (shapes.size() > 1) {
            int[] value = shapes.get(1);
            int[] key = shapes.get(shapes.size() - 1);
            if (value[0] != key[0]) {
                throw dev.isthmus.nn.tensor.ShapeMismatchException.of("MultiHeadAttention", value, key,
                        "differ in time: value and key must have the same steps");
            }
            if (isBuilt() && (value[1] != valueFeatures || key[1] != keyFeatures)) {
                throw new IllegalArgumentException("MultiHeadAttention was built for values of " + valueFeatures
                        + " and keys of " + keyFeatures + " features, got " + value[1] + " and " + key[1]);
            }
            valueFeatures = value[1];
            keyFeatures = key[1];
        }
        return shapes.getFirst().clone();
    }


    private static final String[] PROJECTIONS = {"query", "key", "value"};

    @Override
    public Map<String, int[]> parameterShapes(int[] s) {
        int d = s[1];
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (String p : PROJECTIONS) {
            int in = p.equals("query") || valueFeatures < 0 ? d : p.equals("key") ? keyFeatures : valueFeatures;
            shapes.put(p + "_kernel", new int[] {in, numHeads, keyDim});
            if (useBias) {
                shapes.put(p + "_bias", new int[] {numHeads, keyDim});
            }
        }
        shapes.put("output_kernel", new int[] {numHeads, keyDim, d});
        if (useBias) {
            shapes.put("output_bias", new int[] {d});
        }
        return shapes;
    }

    @Override
    protected void createParameters(int[] s, long seed, Map<String, Tensor> into) {
        Map<String, int[]> shapes = parameterShapes(s);
        for (int i = 0; i < PROJECTIONS.length; i++) {
            String p = PROJECTIONS[i];
            into.put(p + "_kernel", kernelInitializer.create(shapes.get(p + "_kernel"), seed + 2L * i));
            if (useBias) {
                into.put(p + "_bias", biasInitializer.create(shapes.get(p + "_bias"), seed + 2L * i + 1));
            }
        }
        into.put("output_kernel", kernelInitializer.create(shapes.get("output_kernel"), seed + 7));
        if (useBias) {
            into.put("output_bias", biasInitializer.create(shapes.get("output_bias"), seed + 8));
        }
    }

    /** x [n, t, d] → heads [n, heads, t, keyDim]. */
    private Tensor project(Tensor x2d, String name, int n, int t) {
        int d = x2d.size(1);
        Tensor w = parameters().get(name + "_kernel").reshape(d, numHeads * keyDim);
        Tensor y = x2d.matmul(w);
        if (useBias) {
            y = y.add(parameters().get(name + "_bias").reshape(numHeads * keyDim));
        }
        return y.reshape(n, t, numHeads, keyDim).permute(0, 2, 1, 3);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return forward(x, null, training);
    }

    @Override
    protected Tensor forward(Tensor x, Tensor mask, boolean training) {
        return attend(x, x, x, mask, false);
    }

    @Override
    public Tensor call(java.util.List<Tensor> inputs, java.util.List<Tensor> masks, boolean training) {
        Tensor query = inputs.getFirst();
        checkInput(query);
        if (inputs.size() == 1) {
            return attend(query, query, query, masks.getFirst(), false);
        }
        Tensor value = inputs.get(1);
        Tensor key = inputs.get(inputs.size() - 1);
        return attend(query, value, key, masks.get(1), false);
    }

    /**
     * The attention weights [batch, heads, query steps, value steps] of {@code query} over
     * {@code value} (with {@code key} = value when null), hiding the value's padded steps where
     * {@code valueMask} ([batch, value steps], 1 real, 0 padding) says and later steps if causal:
     * Keras's {@code return_attention_scores}. Differentiable, owned by the current scope.
     */
    public Tensor attentionScores(Tensor query, Tensor value, Tensor key, Tensor valueMask) {
        requireBuilt("attentionScores");
        return attend(query, value, key == null ? value : key, valueMask, true);
    }

    private Tensor attend(Tensor query, Tensor value, Tensor key, Tensor valueMask, boolean scoresOnly) {
        int n = query.size(0);
        int tq = query.size(1);
        int d = query.size(2);
        int tv = value.size(1);
        if (key.size(1) != tv || key.size(0) != n || value.size(0) != n) {
            throw dev.isthmus.nn.tensor.ShapeMismatchException.of("MultiHeadAttention", value.shape(), key.shape(),
                    "do not fit: value and key need the query's batch and one time axis");
        }
        Tensor q = project(query.reshape(n * tq, d), "query", n, tq);
        Tensor k = project(key.reshape(n * tv, key.size(2)), "key", n, tv);
        Tensor v = project(value.reshape(n * tv, value.size(2)), "value", n, tv);
        Tensor bias = attentionBias(valueMask, n, tq, tv, query.device());
        Tensor weights = q.matmul(k.transpose()).scaledSoftmax((float) (1 / Math.sqrt(keyDim)), bias);
        if (scoresOnly) {
            return weights;
        }
        Tensor heads = weights.matmul(v).permute(0, 2, 1, 3).reshape(n * tq, numHeads * keyDim);
        Tensor wo = parameters().get("output_kernel").reshape(numHeads * keyDim, d);
        Tensor out = heads.matmul(wo);
        if (useBias) {
            out = out.add(parameters().get("output_bias"));
        }
        return out.reshape(n, tq, d);
    }

    @Override
    public Tensor outputMask(java.util.List<Tensor> inputs, java.util.List<Tensor> masks) {
        return masks.getFirst();
    }

    /**
     * 0 where a query may attend to a key, a large negative number where it may not; null when all
     * may. Built on the scores' device: the padding mask is never read back to the host.
     */
    private Tensor attentionBias(Tensor mask, int n, int tq, int t, dev.isthmus.nn.tensor.Device device) {
        Tensor bias = null;
        if (causal) {
            // query step i sees value steps j <= i (Keras's lower-triangular causal mask)
            float[] later = new float[tq * t];
            for (int i = 0; i < tq; i++) {
                for (int j = i + 1; j < t; j++) {
                    later[i * t + j] = MASKED;
                }
            }
            bias = Tensor.of(device, later, 1, 1, tq, t);
        }
        if (mask != null) {
            // a key is masked where the mask is 0: MASKED · (1 - mask)
            Tensor keys = mask.neg().add(1f).mul(MASKED).reshape(n, 1, 1, t);
            bias = bias == null ? keys : bias.minimum(keys);
        }
        return bias;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("num_heads", numHeads);
        c.put("key_dim", keyDim);
        c.put("use_causal_mask", causal);
        c.put("use_bias", useBias);
        c.put("kernel_initializer", Initializer.describe(kernelInitializer));
        c.put("bias_initializer", Initializer.describe(biasInitializer));
        return c;
    }
}
