package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras {@code MultiHeadAttention} used as self-attention (query = key = value = the input) so it
 * composes in a {@code Sequential}: [batch, time, features] → [batch, time, features]. Weights in
 * Keras's layout: query/key/value kernels [features, heads, keyDim] with biases [heads, keyDim],
 * output kernel [heads, keyDim, features] with bias [features]. Scores are scaled by
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

    private static final String[] PROJECTIONS = {"query", "key", "value"};

    @Override
    public Map<String, int[]> parameterShapes(int[] s) {
        int d = s[1];
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (String p : PROJECTIONS) {
            shapes.put(p + "_kernel", new int[] {d, numHeads, keyDim});
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
        int n = x.size(0);
        int t = x.size(1);
        int d = x.size(2);
        Tensor x2d = x.reshape(n * t, d);
        Tensor q = project(x2d, "query", n, t);
        Tensor k = project(x2d, "key", n, t);
        Tensor v = project(x2d, "value", n, t);
        Tensor scores = q.matmul(k.transpose()).mul((float) (1 / Math.sqrt(keyDim)));
        Tensor bias = attentionBias(mask, n, t, x.device());
        if (bias != null) {
            scores = scores.add(bias);
        }
        Tensor heads = scores.softmax(-1).matmul(v).permute(0, 2, 1, 3).reshape(n * t, numHeads * keyDim);
        Tensor wo = parameters().get("output_kernel").reshape(numHeads * keyDim, d);
        Tensor out = heads.matmul(wo);
        if (useBias) {
            out = out.add(parameters().get("output_bias"));
        }
        return out.reshape(n, t, d);
    }

    /**
     * 0 where a query may attend to a key, a large negative number where it may not; null when all
     * may. Built on the scores' device: the padding mask is never read back to the host.
     */
    private Tensor attentionBias(Tensor mask, int n, int t, dev.isthmus.nn.tensor.Device device) {
        Tensor bias = null;
        if (causal) {
            float[] later = new float[t * t];
            for (int i = 0; i < t; i++) {
                for (int j = i + 1; j < t; j++) {
                    later[i * t + j] = MASKED;
                }
            }
            bias = Tensor.of(device, later, 1, 1, t, t);
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
