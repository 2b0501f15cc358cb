package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras {@code LayerNormalization} over the last axis: each sample's features are normalised by
 * their own mean and (biased) variance, {@code y = (x - mean) / sqrt(var + epsilon) · gamma + beta},
 * the same in training and inference (no moving statistics). Keras's defaults: epsilon 1e-3,
 * gamma ones and beta zeros of the last axis's size, both on ({@code center}, {@code scale}).
 * One fused pass each way on the CPU ({@link dev.isthmus.nn.tensor.Functional#layerNorm}); elsewhere
 * built from differentiable tensor operations, so it runs, and differentiates, on every backend.
 */
public final class LayerNormalization extends Layer {
    private final float epsilon;
    private final boolean center;
    private final boolean scale;

    /** Keras's defaults: epsilon 1e-3, a learned beta and gamma. */
    public LayerNormalization() {
        this(1e-3f, true, true);
    }

    /**
     * Keras's {@code LayerNormalization(axis=-1, epsilon, center, scale)}.
     * @throws IllegalArgumentException if epsilon is negative or not finite
     */
    public LayerNormalization(float epsilon, boolean center, boolean scale) {
        if (!(epsilon >= 0f) || Float.isInfinite(epsilon)) {
            throw new IllegalArgumentException("LayerNormalization epsilon must be finite and >= 0, got " + epsilon);
        }
        this.epsilon = epsilon;
        this.center = center;
        this.scale = scale;
    }

    @Override
    public int[] computeOutputShape(int[] inputShape) {
        if (inputShape.length < 1) {
            throw new IllegalArgumentException("LayerNormalization needs inputs with at least one axis besides the batch");
        }
        return inputShape;
    }

    @Override
    public Map<String, int[]> parameterShapes(int[] inputShape) {
        return scaleAndCenter(inputShape, scale, center);
    }

    /** gamma (with scale) and beta (with center), one value per feature of the last axis, as both normalizations name them. */
    static Map<String, int[]> scaleAndCenter(int[] inputShape, boolean scale, boolean center) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        int[] features = {inputShape[inputShape.length - 1]};
        if (scale) {
            shapes.put("gamma", features);
        }
        if (center) {
            shapes.put("beta", features);
        }
        return shapes;
    }

    @Override
    protected void createParameters(int[] inputShape, long seed, Map<String, Tensor> into) {
        parameterShapes(inputShape).forEach((name, shape) ->
                into.put(name, (name.equals("gamma") ? Initializer.ones() : Initializer.zeros()).create(shape, seed)));
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return dev.isthmus.nn.tensor.Functional.layerNorm(x, scale ? parameters().get("gamma") : null,
                center ? parameters().get("beta") : null, epsilon);
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        return mask;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("axis", -1);
        c.put("epsilon", (double) epsilon);
        c.put("center", center);
        c.put("scale", scale);
        return c;
    }
}
