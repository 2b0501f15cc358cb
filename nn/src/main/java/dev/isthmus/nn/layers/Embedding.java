package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras {@code Embedding}: integer ids [batch, ...] → vectors [batch, ..., outputDim], weights
 * uniform in [-0.05, 0.05] (Keras's default {@code embeddings_initializer="uniform"}; another with
 * {@link #embeddingsInitializer}, and a penalty with {@link #embeddingsRegularizer}). Ids are int32 or int64 tensors; float ids are cast to int32 as Keras
 * casts them. With {@code maskZero}, id 0 is padding and the layer emits a mask ([batch, time],
 * 0 where the id is 0) that LSTM and pooling layers honour.
 */
public final class Embedding extends Layer {
    private final int inputDim;
    private final int outputDim;
    private final boolean maskZero;
    private Initializer embeddingsInitializer = Initializer.randomUniform();
    private Regularizer embeddingsRegularizer;

    /** A table of {@code inputDim} vectors of {@code outputDim}, without a padding mask. */
    public Embedding(int inputDim, int outputDim) {
        this(inputDim, outputDim, false);
    }

    /** As {@link #Embedding(int, int)}; with {@code maskZero} id 0 is padding and masked. */
    public Embedding(int inputDim, int outputDim, boolean maskZero) {
        if (inputDim <= 0 || outputDim <= 0) {
            throw new IllegalArgumentException("Embedding needs inputDim > 0 and outputDim > 0, got " + inputDim + " and " + outputDim);
        }
        this.inputDim = inputDim;
        this.outputDim = outputDim;
        this.maskZero = maskZero;
    }

    /** Sets the table's initializer (Keras {@code embeddings_initializer}); before the layer is built. */
    public Embedding embeddingsInitializer(Initializer initializer) {
        requireUnbuilt("embeddingsInitializer");
        this.embeddingsInitializer = java.util.Objects.requireNonNull(initializer, "initializer");
        return this;
    }

    /**
     * Adds {@code regularizer}'s penalty on the whole table to the training loss (Keras
     * {@code embeddings_regularizer}); null for none.
     */
    public Embedding embeddingsRegularizer(Regularizer regularizer) {
        requireUnbuilt("embeddingsRegularizer");
        this.embeddingsRegularizer = regularizer;
        return this;
    }

    /** The same as {@link #embeddingsRegularizer}: the table is this layer's kernel. */
    public Embedding kernelRegularizer(Regularizer regularizer) {
        return embeddingsRegularizer(regularizer);
    }

    @Override
    protected Map<String, Regularizer> regularizers() {
        return embeddingsRegularizer == null ? Map.of() : Map.of("embeddings", embeddingsRegularizer);
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        int[] out = java.util.Arrays.copyOf(s, s.length + 1);
        out[s.length] = outputDim;
        return out;
    }

    @Override
    public Map<String, int[]> parameterShapes(int[] s) {
        return Map.of("embeddings", new int[] {inputDim, outputDim});
    }

    @Override
    protected void createParameters(int[] s, long seed, Map<String, Tensor> into) {
        into.put("embeddings", embeddingsInitializer.create(parameterShapes(s).get("embeddings"), seed));
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return parameters().get("embeddings").indexSelect(x.cast(DType.INT32));
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        // Every non-zero integer stays non-zero as a float, so the mask is exact for any id.
        return maskZero ? x.cast(DType.FLOAT32).gt(Tensor.zeros(1)) : null;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("input_dim", inputDim);
        c.put("output_dim", outputDim);
        c.put("mask_zero", maskZero);
        c.put("embeddings_initializer", Initializer.describe(embeddingsInitializer));
        c.put("embeddings_regularizer", LayerOptions.describe(embeddingsRegularizer));
        return c;
    }
}
