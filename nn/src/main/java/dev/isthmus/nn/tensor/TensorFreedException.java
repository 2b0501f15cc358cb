package dev.isthmus.nn.tensor;

/**
 * A tensor was used after the scope that owned its memory closed. With
 * {@code -Disthmus.debug.memory=true} the cause holds the stack trace of that close.
 */
public class TensorFreedException extends IllegalStateException {
    public TensorFreedException(String message, Throwable closedAt) {
        super(message, closedAt);
    }
}
