package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.Map;

/** Keras {@code RepeatVector(n)}: [batch, features] → [batch, n, features], the vector repeated n times. */
public final class RepeatVector extends Layer {
    private final int n;

    /** @throws IllegalArgumentException if n is not positive */
    public RepeatVector(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("RepeatVector needs n > 0, got " + n);
        }
        this.n = n;
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        if (s.length != 1) {
            throw new IllegalArgumentException("RepeatVector takes [features] per sample, got " + java.util.Arrays.toString(s));
        }
        return new int[] {n, s[0]};
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return x.reshape(x.size(0), 1, x.size(1)).expandTo(new int[] {x.size(0), n, x.size(1)});
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        return null;
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("n", n);
    }
}
