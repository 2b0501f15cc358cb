package dev.isthmus.nn.layers;

import dev.isthmus.nn.backend.Window2d;
import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras {@code AveragePooling1D(pool_size, strides, padding)}: [batch, time, features] → the mean of
 * each window of steps, padded steps of "same" not counted, as {@link AveragePooling2D} on a
 * one-row image.
 */
public final class AveragePooling1D extends Layer {
    private final int poolSize;
    private final int stride;
    private final Window2d.Padding padding;

    /** Windows of {@code poolSize}, stride {@code poolSize}, "valid". */
    public AveragePooling1D(int poolSize) {
        this(poolSize, poolSize, "valid");
    }

    /** @throws IllegalArgumentException for a non-positive size or stride or an unknown padding */
    public AveragePooling1D(int poolSize, int stride, String padding) {
        if (poolSize <= 0 || stride <= 0) {
            throw new IllegalArgumentException("AveragePooling1D needs pool size and stride > 0, got " + poolSize + " and "
                    + stride);
        }
        this.poolSize = poolSize;
        this.stride = stride;
        this.padding = Window2d.Padding.of(padding);
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        if (s.length != 2) {
            throw new IllegalArgumentException("AveragePooling1D expects [time, features] per sample, got "
                    + java.util.Arrays.toString(s));
        }
        return new int[] {Window2d.of(1, 1, s[0], s[1], 1, poolSize, 1, stride, padding).outWidth(), s[1]};
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        int n = x.size(0);
        Tensor y = AveragePooling2D.average(x.reshape(n, 1, x.size(1), x.size(2)), 1, poolSize, 1, stride, padding);
        return y.reshape(n, y.size(2), y.size(3));
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        return null;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("pool_size", List.of(poolSize));
        c.put("strides", List.of(stride));
        c.put("padding", padding.name().toLowerCase(java.util.Locale.ROOT));
        return c;
    }
}
