package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Joins inputs along {@code axis} (Keras's {@code Concatenate}; the axis counts the batch axis,
 * as Keras's does, and -1 is the last); the other axes must agree.
 */
public final class Concatenate extends MergeLayer {
    private final int axis;

    /** Concatenates along the last axis (Keras's default {@code axis=-1}). */
    public Concatenate() {
        this(-1);
    }

    /** Concatenates along {@code axis}, counting the batch axis as 0 (negative counts from the end); the batch axis itself is refused. */
    public Concatenate(int axis) {
        if (axis == 0) {
            throw new IllegalArgumentException("Concatenate cannot join along the batch axis 0");
        }
        this.axis = axis;
    }

    @Override
    public int[] computeOutputShape(List<int[]> inputShapes) {
        requireCount(inputShapes, 2, Integer.MAX_VALUE);
        int[] first = inputShapes.getFirst();
        int a = sampleAxis(first.length);
        int[] out = first.clone();
        for (int i = 1; i < inputShapes.size(); i++) {
            int[] s = inputShapes.get(i);
            boolean fits = s.length == first.length;
            for (int d = 0; fits && d < s.length; d++) {
                fits = d == a || s[d] == first[d];
            }
            if (!fits) {
                throw ShapeMismatchException.of(typeName(), first, s,
                        "do not fit: Concatenate(axis=" + axis + ") needs equal sizes on every other axis (batch axis excluded)");
            }
            out[a] += s[a];
        }
        return out;
    }

    /** The axis within a sample (batch axis excluded) of samples of rank {@code rank}. */
    private int sampleAxis(int rank) {
        int a = axis < 0 ? rank + 1 + axis : axis;
        if (a < 1 || a > rank) {
            throw new IllegalArgumentException("Concatenate axis " + axis + " is out of range for inputs of rank " + (rank + 1));
        }
        return a - 1;
    }

    @Override
    public Tensor merge(List<Tensor> inputs) {
        return Tensor.concat(inputs, sampleAxis(inputs.getFirst().rank() - 1) + 1);
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("axis", axis);
    }
}
