package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;

/** Keras {@code GlobalAveragePooling2D}, channels-last: [batch, h, w, c] → [batch, c]. */
public final class GlobalAveragePooling2D extends Layer {
    /** A layer without weights or options: the mean over height and width. */
    public GlobalAveragePooling2D() {
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        if (s.length != 3) {
            throw new IllegalArgumentException("GlobalAveragePooling2D expects [height, width, channels] per sample, got "
                    + java.util.Arrays.toString(s));
        }
        return new int[] {s[2]};
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return x.mean(1, 2);
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        return null;
    }
}
