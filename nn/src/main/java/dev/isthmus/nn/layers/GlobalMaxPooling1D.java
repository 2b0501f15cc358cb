package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;

/**
 * Keras {@code GlobalMaxPooling1D}: [batch, time, features] → [batch, features], the largest over
 * time. As in Keras 3, a mask is not applied (GlobalAveragePooling1D is the pooling that honours one).
 */
public final class GlobalMaxPooling1D extends Layer {
    /** A layer without weights or options. */
    public GlobalMaxPooling1D() {
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        if (s.length != 2) {
            throw new IllegalArgumentException("GlobalMaxPooling1D expects [time, features] per sample, got "
                    + java.util.Arrays.toString(s));
        }
        return new int[] {s[1]};
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return x.max(1);
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        return null;
    }
}
