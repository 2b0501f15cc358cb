package dev.isthmus.nn.autograd;

/**
 * A backward pass that would give wrong gradients: through a graph an earlier backward already
 * freed, or through an op whose saved tensors were written in place after it was recorded.
 */
public final class AutogradException extends IllegalStateException {
    /** A refused backward described by {@code message}, which names the op (and the tensor written in place). */
    public AutogradException(String message) {
        super(message);
    }
}
