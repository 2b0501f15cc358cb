package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * Keras {@code Reshape(target_shape)}: each sample to {@code targetShape} (the batch axis kept), at
 * most one entry -1 inferred from the sample's size. The mask does not pass through.
 */
public final class Reshape extends Layer {
    private final int[] targetShape;

    /**
     * @throws IllegalArgumentException if an entry is 0 or below -1, or more than one is -1
     */
    public Reshape(int... targetShape) {
        int unknown = 0;
        for (int d : targetShape) {
            if (d == 0 || d < -1) {
                throw new IllegalArgumentException("Reshape target sizes must be positive or one -1, got "
                        + Arrays.toString(targetShape));
            }
            unknown += d == -1 ? 1 : 0;
        }
        if (unknown > 1) {
            throw new IllegalArgumentException("Reshape can infer one size only, got " + Arrays.toString(targetShape));
        }
        this.targetShape = targetShape.clone();
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        long size = 1;
        for (int d : s) {
            size *= d;
        }
        long known = 1;
        int free = -1;
        for (int i = 0; i < targetShape.length; i++) {
            if (targetShape[i] == -1) {
                free = i;
            } else {
                known *= targetShape[i];
            }
        }
        int[] out = targetShape.clone();
        if (free >= 0 && known > 0 && size % known == 0) {
            out[free] = (int) (size / known);
            known *= out[free];
        }
        if (known != size) {
            throw new IllegalArgumentException("Reshape cannot make " + Arrays.toString(s) + " (" + size + " values) into "
                    + Arrays.toString(targetShape));
        }
        return out;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        int[] sample = computeOutputShape(Arrays.copyOfRange(x.shape(), 1, x.rank()));
        int[] shape = new int[sample.length + 1];
        shape[0] = x.size(0);
        System.arraycopy(sample, 0, shape, 1, sample.length);
        return x.reshape(shape);
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        return null;
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("target_shape", Arrays.stream(targetShape).boxed().toList());
    }
}
