package dev.isthmus.nn.model;

import dev.isthmus.nn.layers.Layer;
import dev.isthmus.nn.tensor.Tensor;
import java.util.Map;

/** A user's own layer for the registry tests: x · w · factor, with one learned weight per feature. */
public final class Scale extends Layer {
    private final float factor;

    public Scale(float factor) {
        this.factor = factor;
    }

    /** The factory {@code Layers.register} is given. */
    public static Scale fromConfig(Map<String, Object> config) {
        return new Scale(((Number) config.get("factor")).floatValue());
    }

    @Override
    public int[] computeOutputShape(int[] inputShape) {
        return inputShape;
    }

    @Override
    public Map<String, int[]> parameterShapes(int[] inputShape) {
        return Map.of("w", new int[] {inputShape[inputShape.length - 1]});
    }

    @Override
    protected void createParameters(int[] inputShape, long seed, Map<String, Tensor> into) {
        into.put("w", Tensor.uniform(parameterShapes(inputShape).get("w"), 0.5f, 1.5f, seed));
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return x.mul(parameters().get("w")).mul(factor);
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("factor", factor);
    }
}
