package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.List;

/** Element-wise product of inputs of one shape (Keras's {@code Multiply}). */
public final class Multiply extends MergeLayer {
    /** A product layer; its inputs are given where it is applied ({@code apply(a, b, ...)}). */
    public Multiply() {
    }

    @Override
    public int[] computeOutputShape(List<int[]> inputShapes) {
        return sameShapes(inputShapes, 2);
    }

    @Override
    public Tensor merge(List<Tensor> inputs) {
        Tensor out = inputs.getFirst();
        for (int i = 1; i < inputs.size(); i++) {
            out = out.mul(inputs.get(i));
        }
        return out;
    }
}
