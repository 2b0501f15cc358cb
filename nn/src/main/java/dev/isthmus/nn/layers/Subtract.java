package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.List;

/** The first of two inputs of one shape minus the second (Keras's {@code Subtract}). */
public final class Subtract extends MergeLayer {
    /** A difference layer; its inputs are given where it is applied ({@code apply(a, b, ...)}). */
    public Subtract() {
    }

    @Override
    public int[] computeOutputShape(List<int[]> inputShapes) {
        requireCount(inputShapes, 2, 2);
        return sameShapes(inputShapes, 2);
    }

    @Override
    public Tensor merge(List<Tensor> inputs) {
        return inputs.get(0).sub(inputs.get(1));
    }
}
