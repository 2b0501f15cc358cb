package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Functional;
import dev.isthmus.nn.tensor.Tensor;

/**
 * Keras {@code MaxPooling1D(pool_size, strides, padding)}: [batch, time, features] → the largest of
 * each window of {@code poolSize} steps (strides default to the pool size), as 2-D max pooling of a
 * one-row image: the same tie and NaN rules.
 */
public final class MaxPooling1D extends Pooling1D {
    /** Windows of {@code poolSize}, stride {@code poolSize}, "valid". */
    public MaxPooling1D(int poolSize) {
        this(poolSize, poolSize, "valid");
    }

    /** @throws IllegalArgumentException for a non-positive size or stride or an unknown padding */
    public MaxPooling1D(int poolSize, int stride, String padding) {
        super(poolSize, stride, padding);
    }

    @Override
    Tensor poolImage(Tensor image) {
        return Functional.maxPool2d(image, 1, poolSize, 1, stride, padding);
    }
}
