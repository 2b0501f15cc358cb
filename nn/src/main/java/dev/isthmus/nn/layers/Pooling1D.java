package dev.isthmus.nn.layers;

import dev.isthmus.nn.backend.Window2d;
import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the 1-D poolings share: windows of {@code poolSize} steps moved by {@code stride}, "valid"
 * or "same" padding, over [batch, time, features]; each pools a one-row image of the steps.
 */
abstract class Pooling1D extends Layer {
    final int poolSize;
    final int stride;
    final Window2d.Padding padding;

    Pooling1D(int poolSize, int stride, String padding) {
        if (poolSize <= 0 || stride <= 0) {
            throw new IllegalArgumentException(typeName() + " needs pool size and stride > 0, got " + poolSize + " and "
                    + stride);
        }
        this.poolSize = poolSize;
        this.stride = stride;
        this.padding = Window2d.Padding.of(padding);
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        if (s.length != 2) {
            throw new IllegalArgumentException(typeName() + " expects [time, features] per sample, got "
                    + java.util.Arrays.toString(s));
        }
        return new int[] {Window2d.of(1, 1, s[0], s[1], 1, poolSize, 1, stride, padding).outWidth(), s[1]};
    }

    /** Pools x [batch, 1, time, features] (the steps as a one-row image) into [batch, 1, steps, features]. */
    abstract Tensor poolImage(Tensor image);

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        int n = x.size(0);
        Tensor y = poolImage(x.reshape(n, 1, x.size(1), x.size(2)));
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
