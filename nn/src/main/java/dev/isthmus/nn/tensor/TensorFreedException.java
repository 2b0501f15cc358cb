package dev.isthmus.nn.tensor;

/**
 * A tensor was used after the scope that owned its memory closed. With
 * {@code -Disthmus.debug.memory=true} the cause holds the stack trace of that close.
 */
public class TensorFreedException extends IllegalStateException {
    /**
     * A use after free described by {@code message}; {@code closedAt} is the stack of the scope's close when memory
     * debugging is on, else null.
     */
    public TensorFreedException(String message, Throwable closedAt) {
        super(message, closedAt);
    }
}
