package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.Map;

/** Applies an {@link Activation} (Keras {@code layers.Activation}). */
public final class ActivationLayer extends Layer {
    private final Activation activation;

    /** A layer applying {@code activation}; it has no weights and keeps the input shape. */
    public ActivationLayer(Activation activation) {
        this.activation = activation;
    }

    @Override
    public String typeName() {
        return "Activation";
    }

    @Override
    public int[] computeOutputShape(int[] inputShape) {
        return inputShape;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return activation.apply(x);
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("activation", activation.kerasName());
    }
}
