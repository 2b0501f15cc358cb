package dev.isthmus.nn.autograd;

import dev.isthmus.nn.tensor.Tensor;
import java.util.List;

/**
 * One recorded operation on the tape: the op's name, its inputs, how to turn the gradient of its
 * output into gradients of its inputs, and the versions of the inputs and the output when it was
 * recorded. {@code backward()} refuses a node whose tensors were written in place since (their
 * values are no longer the ones the gradient formula needs) and, unless asked to retain the graph,
 * releases each node it went through, so a second walk fails instead of adding the gradients twice.
 */
public final class Node {
    private final String op;
    private final List<Tensor> inputs;
    private final int[] inputVersions;
    private final int outputVersion;
    private Backward backward;

    /** Gradients of the inputs (same order; null where an input needs none) from the output's gradient. */
    @FunctionalInterface
    public interface Backward {
        /**
         * The gradients of the op's inputs, in order (null where one needs none), from {@code gradOutput}, the
         * gradient of its output (its shape); the results are owned by the current scope.
         */
        Tensor[] apply(Tensor gradOutput);
    }

    /**
     * Records op {@code op} on {@code inputs}, noting each input's storage version now and {@code outputVersion},
     * the output's; {@link dev.isthmus.nn.tensor.Tensor} makes these as ops run with the tape on.
     */
    public Node(String op, List<Tensor> inputs, Backward backward, int outputVersion) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
        this.outputVersion = outputVersion;
        this.inputVersions = new int[inputs.size()];
        for (int i = 0; i < inputVersions.length; i++) {
            inputVersions[i] = inputs.get(i).storage().version();
        }
    }

    /** The op's name, as error messages print it ("matmul", "add", ...). */
    public String op() {
        return op;
    }

    /** The op's inputs, in the order {@link Backward#apply} returns their gradients. */
    public List<Tensor> inputs() {
        return inputs;
    }

    /** The version input {@code i} had when this op recorded it. */
    public int inputVersion(int i) {
        return inputVersions[i];
    }

    /** The version the op's output had when it was recorded. */
    public int outputVersion() {
        return outputVersion;
    }

    /** True once a backward pass that did not retain the graph went through this node. */
    public boolean isReleased() {
        return backward == null;
    }

    /** Drops the backward function and with it everything it kept alive for the gradient. */
    public void release() {
        backward = null;
    }

    /**
     * The function from the output's gradient to the inputs'.
     * @throws AutogradException if a backward that did not retain the graph already went through this node
     */
    public Backward backward() {
        if (backward == null) {
            throw new AutogradException("backward through '" + op + "' a second time: an earlier backward() freed"
                    + " its saved state; pass retainGraph = true to the first backward() to go through a graph twice");
        }
        return backward;
    }
}
