package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;

/**
 * Keras {@code AveragePooling1D(pool_size, strides, padding)}: [batch, time, features] → the mean of
 * each window of steps, padded steps of "same" not counted, as {@link AveragePooling2D} on a
 * one-row image.
 */
public final class AveragePooling1D extends Pooling1D {
    /** Windows of {@code poolSize}, stride {@code poolSize}, "valid". */
    public AveragePooling1D(int poolSize) {
        this(poolSize, poolSize, "valid");
    }

    /** @throws IllegalArgumentException for a non-positive size or stride or an unknown padding */
    public AveragePooling1D(int poolSize, int stride, String padding) {
        super(poolSize, stride, padding);
    }

    @Override
    Tensor poolImage(Tensor image) {
        return AveragePooling2D.average(image, 1, poolSize, 1, stride, padding);
    }
}
