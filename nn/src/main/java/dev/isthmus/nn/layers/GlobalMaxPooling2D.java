package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;

/** Keras {@code GlobalMaxPooling2D}, channels-last: [batch, h, w, c] → [batch, c], the largest over height and width. */
public final class GlobalMaxPooling2D extends Layer {
    /** A layer without weights or options. */
    public GlobalMaxPooling2D() {
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        if (s.length != 3) {
            throw new IllegalArgumentException("GlobalMaxPooling2D expects [height, width, channels] per sample, got "
                    + java.util.Arrays.toString(s));
        }
        return new int[] {s[2]};
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return x.max(1, 2);
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        return null;
    }
}
