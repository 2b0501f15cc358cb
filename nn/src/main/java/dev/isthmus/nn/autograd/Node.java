package dev.isthmus.nn.autograd;

import dev.isthmus.nn.tensor.Tensor;
import java.util.List;

/**
 * One recorded operation on the tape: the op's name, its inputs, and how to turn the gradient of
 * its output into gradients of its inputs.
 */
public record Node(String op, List<Tensor> inputs, Backward backward) {

    /** Gradients of the inputs (same order; null where an input needs none) from the output's gradient. */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }
}
