package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.Locale;

/**
 * Activation functions by Keras name, usable as a {@link Layer} or as a Dense argument. Softmax
 * acts on the last axis.
 */
public enum Activation {
    /** The identity, {@code x}. */
    LINEAR,
    /** {@code max(x, 0)}. */
    RELU,
    /** The logistic function {@code 1 / (1 + e^-x)}. */
    SIGMOID,
    /** The hyperbolic tangent. */
    TANH,
    /** {@code e^x / sum(e^x)} along the last axis. */
    SOFTMAX,
    /** {@code x} for {@code x > 0}, {@code 0.2·x} otherwise (Keras's default negative slope). */
    LEAKY_RELU;

    /**
     * Applies the function to {@code x} elementwise (softmax: along the last axis), differentiably: a new float32
     * tensor of {@code x}'s shape and device, owned by the current scope ({@code LINEAR} returns {@code x} itself).
     * @throws dev.isthmus.nn.tensor.DTypeException if {@code x} is not float32
     */
    public Tensor apply(Tensor x) {
        return switch (this) {
            case LINEAR -> x;
            case RELU -> x.relu();
            case SIGMOID -> x.sigmoid();
            case TANH -> x.tanh();
            case SOFTMAX -> x.softmax(-1);
            case LEAKY_RELU -> x.leakyRelu(0.2f);
        };
    }

    /** The Keras name ("relu", "leaky_relu", ...), as saved in a layer's config and read by {@link #of}. */
    public String kerasName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** By Keras name ("relu", "softmax", ...). */
    public static Activation of(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown activation '" + name + "'; known: linear, relu, sigmoid, tanh,"
                    + " softmax, leaky_relu", e);
        }
    }

    /** This activation as a layer of its own. */
    public Layer asLayer() {
        return new ActivationLayer(this);
    }
}
