package dev.isthmus.nn.layers;

import dev.isthmus.nn.autograd.GradMode;
import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Keras {@code BatchNormalization} over the last axis (the channels of NHWC, the features of
 * [batch, features]). In training it normalises by the batch's mean and biased variance over every
 * other axis and moves the non-trainable {@code moving_mean} / {@code moving_variance} towards them:
 * {@code moving = moving · momentum + batch · (1 - momentum)}; at inference, and whenever the layer is
 * frozen (Keras 3 runs a non-trainable BatchNormalization in inference mode), it uses
 * {@code (x - moving_mean) / sqrt(moving_variance + epsilon) · gamma + beta}. Keras's defaults:
 * momentum 0.99, epsilon 1e-3, gamma ones, beta and moving mean zeros, moving variance ones; weights
 * in Keras's order gamma, beta, moving_mean, moving_variance.
 */
public final class BatchNormalization extends Layer {
    private static final Set<String> MOVING = Set.of("moving_mean", "moving_variance");

    private final float momentum;
    private final float epsilon;
    private final boolean center;
    private final boolean scale;

    /** Keras's defaults: momentum 0.99, epsilon 1e-3, a learned beta and gamma. */
    public BatchNormalization() {
        this(0.99f, 1e-3f, true, true);
    }

    /**
     * Keras's {@code BatchNormalization(axis=-1, momentum, epsilon, center, scale)}.
     * @throws IllegalArgumentException if momentum is outside [0, 1] or epsilon is negative
     */
    public BatchNormalization(float momentum, float epsilon, boolean center, boolean scale) {
        if (!(momentum >= 0f && momentum <= 1f) || !(epsilon >= 0f) || Float.isInfinite(epsilon)) {
            throw new IllegalArgumentException("BatchNormalization needs momentum in [0, 1] and a finite epsilon >= 0, got "
                    + momentum + " and " + epsilon);
        }
        this.momentum = momentum;
        this.epsilon = epsilon;
        this.center = center;
        this.scale = scale;
    }

    @Override
    protected Set<String> nonTrainableWeights() {
        return MOVING;
    }

    @Override
    public int[] computeOutputShape(int[] inputShape) {
        if (inputShape.length < 1) {
            throw new IllegalArgumentException("BatchNormalization needs inputs with at least one axis besides the batch");
        }
        return inputShape;
    }

    @Override
    public Map<String, int[]> parameterShapes(int[] inputShape) {
        Map<String, int[]> shapes = LayerNormalization.scaleAndCenter(inputShape, scale, center);
        int[] features = {inputShape[inputShape.length - 1]};
        shapes.put("moving_mean", features);
        shapes.put("moving_variance", features);
        return shapes;
    }

    @Override
    protected void createParameters(int[] inputShape, long seed, Map<String, Tensor> into) {
        parameterShapes(inputShape).forEach((name, shape) -> into.put(name,
                (name.equals("gamma") || name.equals("moving_variance") ? Initializer.ones() : Initializer.zeros())
                        .create(shape, seed)));
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Tensor mean;
        Tensor variance;
        if (training && trainable()) {
            int[] axes = new int[x.rank() - 1];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = i;
            }
            mean = x.mean(axes, false);
            variance = x.sub(mean).square().mean(axes, false);
            try (var ignored = GradMode.noGrad()) {
                Tensor movingMean = parameters().get("moving_mean");
                Tensor movingVariance = parameters().get("moving_variance");
                movingMean.copyFrom(movingMean.mul(momentum).add(mean.detach().mul(1f - momentum)));
                movingVariance.copyFrom(movingVariance.mul(momentum).add(variance.detach().mul(1f - momentum)));
            }
        } else {
            mean = parameters().get("moving_mean");
            variance = parameters().get("moving_variance");
        }
        Tensor y = x.sub(mean).div(variance.add(epsilon).sqrt());
        if (scale) {
            y = y.mul(parameters().get("gamma"));
        }
        if (center) {
            y = y.add(parameters().get("beta"));
        }
        return y;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("axis", -1);
        c.put("momentum", (double) momentum);
        c.put("epsilon", (double) epsilon);
        c.put("center", center);
        c.put("scale", scale);
        return c;
    }
}
