package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token embedding plus a learned position embedding, as KerasHub's
 * {@code TokenAndPositionEmbedding(vocabulary_size, sequence_length, embedding_dim)}: ids
 * [batch, time] (time up to {@code sequenceLength}) → token vectors + the vector of each position,
 * [batch, time, embeddingDim]. Both tables uniform in [-0.05, 0.05] (Keras's "uniform"), named
 * {@code token_embeddings} [vocabulary, dim] and {@code position_embeddings} [sequenceLength, dim].
 *
 * <p>Applied a second time, in a functional model, to hidden states [batch, time, embeddingDim], the
 * same layer gives the logits over the vocabulary, {@code h · token_embeddingsᵀ}: the output layer
 * tied to the input embedding, as KerasHub's {@code ReversibleEmbedding} with {@code reverse=True}
 * (one table, trained by both uses; no bias).
 */
public final class TokenAndPositionEmbedding extends Layer {
    private final int vocabularySize;
    private final int sequenceLength;
    private final int embeddingDim;

    /**
     * Tables for {@code vocabularySize} ids and {@code sequenceLength} positions of {@code embeddingDim}.
     * @throws IllegalArgumentException if a size is not positive
     */
    public TokenAndPositionEmbedding(int vocabularySize, int sequenceLength, int embeddingDim) {
        if (vocabularySize <= 0 || sequenceLength <= 0 || embeddingDim <= 0) {
            throw new IllegalArgumentException("TokenAndPositionEmbedding needs positive sizes, got vocabulary "
                    + vocabularySize + ", sequence length " + sequenceLength + ", dim " + embeddingDim);
        }
        this.vocabularySize = vocabularySize;
        this.sequenceLength = sequenceLength;
        this.embeddingDim = embeddingDim;
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        if (s.length != 1) {
            throw new IllegalArgumentException("TokenAndPositionEmbedding takes [time] ids per sample, got "
                    + java.util.Arrays.toString(s));
        }
        if (s[0] > sequenceLength) {
            throw new IllegalArgumentException("TokenAndPositionEmbedding: " + s[0] + " steps exceed its sequence length "
                    + sequenceLength);
        }
        return new int[] {s[0], embeddingDim};
    }

    /** Whether a call's input is hidden states [time, embeddingDim] (the tied output) rather than ids [time]. */
    private boolean reverses(int[] s) {
        return s.length == 2 && s[1] == embeddingDim;
    }

    @Override
    public boolean alsoTakes(int[] inputShape) {
        return reverses(inputShape);
    }

    @Override
    public int[] computeOutputShape(java.util.List<int[]> shapes) {
        if (shapes.size() == 1 && reverses(shapes.getFirst())) {
            return new int[] {shapes.getFirst()[0], vocabularySize};
        }
        return super.computeOutputShape(shapes);
    }

    @Override
    public Tensor call(java.util.List<Tensor> inputs, java.util.List<Tensor> masks, boolean training) {
        Tensor h = inputs.getFirst();
        if (inputs.size() == 1 && h.rank() == 3 && h.size(2) == embeddingDim && h.dtype() == DType.FLOAT32) {
            requireBuilt("the tied output of TokenAndPositionEmbedding");
            int n = h.size(0);
            int t = h.size(1);
            Tensor table = parameters().get("token_embeddings");
            return h.reshape(n * t, embeddingDim).matmul(table.transpose()).reshape(n, t, vocabularySize);
        }
        return super.call(inputs, masks, training);
    }

    @Override
    public Tensor outputMask(java.util.List<Tensor> inputs, java.util.List<Tensor> masks) {
        return null;
    }

    @Override
    public Map<String, int[]> parameterShapes(int[] s) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("token_embeddings", new int[] {vocabularySize, embeddingDim});
        shapes.put("position_embeddings", new int[] {sequenceLength, embeddingDim});
        return shapes;
    }

    @Override
    protected void createParameters(int[] s, long seed, Map<String, Tensor> into) {
        Map<String, int[]> shapes = parameterShapes(s);
        into.put("token_embeddings", Initializer.randomUniform().create(shapes.get("token_embeddings"), seed));
        into.put("position_embeddings", Initializer.randomUniform().create(shapes.get("position_embeddings"), seed + 1));
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (x.rank() != 2 || x.size(1) > sequenceLength) {
            throw new IllegalArgumentException("TokenAndPositionEmbedding takes ids [batch, time <= " + sequenceLength
                    + "], got " + java.util.Arrays.toString(x.shape()));
        }
        Tensor tokens = parameters().get("token_embeddings").indexSelect(x.cast(DType.INT32));
        Tensor positions = parameters().get("position_embeddings").slice(0, 0, x.size(1));
        return tokens.add(positions);
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        return null;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("vocabulary_size", vocabularySize);
        c.put("sequence_length", sequenceLength);
        c.put("embedding_dim", embeddingDim);
        return c;
    }
}
