package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * Keras {@code Permute(dims)}: reorders each sample's axes, {@code dims} numbering them from 1 (the
 * batch axis, 0, stays first), e.g. {@code new Permute(2, 1)} swaps time and features.
 */
public final class Permute extends Layer {
    private final int[] dims;

    /** @throws IllegalArgumentException unless dims is a permutation of 1..dims.length */
    public Permute(int... dims) {
        boolean[] seen = new boolean[dims.length + 1];
        for (int d : dims) {
            if (d < 1 || d > dims.length || seen[d]) {
                throw new IllegalArgumentException("Permute dims must be a permutation of 1.." + dims.length + ", got "
                        + Arrays.toString(dims));
            }
            seen[d] = true;
        }
        this.dims = dims.clone();
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        if (s.length != dims.length) {
            throw new IllegalArgumentException("Permute" + Arrays.toString(dims) + " needs " + dims.length
                    + " axes per sample, got " + Arrays.toString(s));
        }
        int[] out = new int[s.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = s[dims[i] - 1];
        }
        return out;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        int[] perm = new int[dims.length + 1];
        for (int i = 0; i < dims.length; i++) {
            perm[i + 1] = dims[i];
        }
        return x.permute(perm);
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        return null;
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("dims", Arrays.stream(dims).boxed().toList());
    }
}
