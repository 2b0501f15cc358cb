package dev.isthmus.nn.optim;

import dev.isthmus.nn.tensor.Tensor;
import java.util.List;

/** Updates parameters in place from their accumulated gradients. */
public interface Optimizer {
    /** One update of every parameter that has a gradient. */
    void step(List<Tensor> parameters);

    /** Zeroes the gradients of {@code parameters} before the next backward pass. */
    default void zeroGrad(List<Tensor> parameters) {
        for (Tensor p : parameters) {
            p.zeroGrad();
        }
    }

    float learningRate();
}
