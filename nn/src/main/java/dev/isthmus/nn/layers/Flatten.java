package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;

/** Keras {@code Flatten}: [batch, ...] → [batch, product of the rest]. */
public final class Flatten extends Layer {
    /** A layer without weights or options: [batch, ...] to [batch, product of the rest]. */
    public Flatten() {
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        long n = 1;
        for (int d : s) {
            n *= d;
        }
        return new int[] {Math.toIntExact(n)};
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return x.reshape(x.size(0), -1);
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        return null;
    }
}
