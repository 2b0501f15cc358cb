package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Keras-style layer: the constructor takes hyper-parameters only; weights are made on the first
 * call, from the input shape, in the owner scope the model gives. Shapes here exclude the batch
 * axis.
 */
public abstract class Layer {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private int[] inputShape;
    private int[] outputShape;

    /** Keras-like class name for summaries and saved architectures, e.g. "Dense". */
    public String typeName() {
        return getClass().getSimpleName();
    }

    /** Makes the weights for inputs of {@code inputShape} (no batch axis) in {@code owner}. */
    public final void build(int[] inputShape, Scope owner, long seed) {
        if (this.inputShape != null) {
            if (!Arrays.equals(this.inputShape, inputShape)) {
                throw ShapeMismatchException.of(typeName(), this.inputShape, inputShape,
                        "differ: the layer was built for the first (batch axis excluded) and now gets the second");
            }
            return;
        }
        this.outputShape = computeOutputShape(inputShape.clone());
        try (Scope ignored = owner == null ? null : Scope.open("build " + typeName())) {
            Map<String, Tensor> made = new LinkedHashMap<>();
            createParameters(inputShape.clone(), seed, made);
            for (var e : made.entrySet()) {
                Tensor p = e.getValue();
                if (owner != null) {
                    owner.adopt(p);
                }
                parameters.put(e.getKey(), p.requiresGrad(true));
            }
        }
        this.inputShape = inputShape.clone();
    }

    public boolean isBuilt() {
        return inputShape != null;
    }

    /** Output shape (no batch axis) for an input shape (no batch axis). */
    public abstract int[] computeOutputShape(int[] inputShape);

    /** Makes this layer's weights into {@code into}, by name (e.g. "kernel", "bias"). */
    protected void createParameters(int[] inputShape, long seed, Map<String, Tensor> into) {
    }

    /** Applies the layer to a batch; {@code training} switches layers such as Dropout. */
    public final Tensor call(Tensor x, boolean training) {
        return call(x, null, training);
    }

    /**
     * Applies the layer with a timestep mask ([batch, time], 1 = real step, 0 = padding) from an
     * earlier layer such as {@code Embedding(maskZero)}; layers that do not use masks ignore it.
     */
    public final Tensor call(Tensor x, Tensor mask, boolean training) {
        checkInput(x);
        return forward(x, mask, training);
    }

    /** Throws unless the layer is built for inputs of x's shape (batch axis excluded). */
    protected final void checkInput(Tensor x) {
        if (x.rank() < 1) {
            throw new IllegalArgumentException(typeName() + " needs a batch axis; got a scalar");
        }
        int[] s = Arrays.copyOfRange(x.shape(), 1, x.rank());
        if (!isBuilt()) {
            throw new IllegalStateException(typeName() + " is not built; add it to a Sequential or call build first");
        }
        if (!Arrays.equals(s, inputShape)) {
            throw ShapeMismatchException.of(typeName(), inputShape, s,
                    "differ: the layer was built for inputs of the first shape (batch axis excluded) but got the second");
        }
    }

    protected abstract Tensor forward(Tensor x, boolean training);

    /** Mask-aware layers (LSTM, pooling over time) override this; others ignore the mask. */
    protected Tensor forward(Tensor x, Tensor mask, boolean training) {
        return forward(x, training);
    }

    /**
     * The mask of this layer's output given its input and input mask. By default the mask passes
     * through unchanged (as Keras does for Dense, Dropout, Activation); layers that remove or
     * reshape the time axis return null.
     */
    public Tensor outputMask(Tensor x, Tensor mask) {
        return mask;
    }

    /** Parameters by name in creation order. */
    public Map<String, Tensor> parameters() {
        return java.util.Collections.unmodifiableMap(parameters);
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor t : parameters.values()) {
            n += t.numel();
        }
        return n;
    }

    public int[] inputShape() {
        return inputShape == null ? null : inputShape.clone();
    }

    public int[] outputShape() {
        return outputShape == null ? null : outputShape.clone();
    }

    /** Hyper-parameters, Keras get_config style, for summaries and saved architectures. */
    public Map<String, Object> config() {
        return Map.of();
    }
}
