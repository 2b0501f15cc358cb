package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.Locale;

/**
 * Activation functions by Keras name, usable as a {@link Layer} or as a Dense argument. Softmax
 * acts on the last axis.
 */
public enum Activation {
    LINEAR, RELU, SIGMOID, TANH, SOFTMAX, LEAKY_RELU;

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
