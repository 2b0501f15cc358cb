package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.List;

/** Element-wise mean of inputs of one shape (Keras's {@code Average}). */
public final class Average extends MergeLayer {
    /** A mean layer; its inputs are given where it is applied ({@code apply(a, b, ...)}). */
    public Average() {
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
        return out.div((float) inputs.size());
    }
}
