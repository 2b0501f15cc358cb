package dev.isthmus.nn.tensor;

/** An operation given a tensor of an element type it does not take; the message names both. */
public final class DTypeException extends IllegalArgumentException {
    /** An element-type mismatch described by {@code message} (the op, the type given and the one expected). */
    public DTypeException(String message) {
        super(message);
    }
}
