package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;

/**
 * Keras {@code GlobalAveragePooling1D}: the mean over time, [batch, time, features] →
 * [batch, features]; with a mask, the mean over the real steps only (as Keras).
 */
public final class GlobalAveragePooling1D extends Layer {
    /** A layer without weights or options: the mean over time. */
    public GlobalAveragePooling1D() {
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        if (s.length != 2) {
            throw new IllegalArgumentException("GlobalAveragePooling1D expects [time, features] per sample, got "
                    + java.util.Arrays.toString(s));
        }
        return new int[] {s[1]};
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return x.mean(1);
    }

    @Override
    protected Tensor forward(Tensor x, Tensor mask, boolean training) {
        if (mask == null) {
            return forward(x, training);
        }
        Tensor m = mask.reshape(mask.size(0), mask.size(1), 1);
        // a sample with no real step averages nothing: divide by at least one
        return x.mul(m).sum(1).div(m.sum(1).clamp(1f, Float.MAX_VALUE));
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        return null;
    }
}
