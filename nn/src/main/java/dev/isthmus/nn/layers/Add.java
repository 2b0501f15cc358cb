package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.List;

/** Element-wise sum of inputs of one shape (Keras's {@code Add}). */
public final class Add extends MergeLayer {
    /** A sum layer; its inputs are given where it is applied ({@code apply(a, b, ...)}). */
    public Add() {
    }

    @Override
    public int[] computeOutputShape(List<int[]> inputShapes) {
        return sameShapes(inputShapes, 2);
    }

    @Override
    public Tensor merge(List<Tensor> inputs) {
        Tensor out = inputs.getFirst();
        for (int i = 1; i < inputs.size(); i++) {
            out = out.add(inputs.get(i));
        }
        return out;
    }
}
