package dev.isthmus.nn.tensor;

/** An operation given a tensor of an element type it does not take; the message names both. */
public final class DTypeException extends IllegalArgumentException {
    public DTypeException(String message) {
        super(message);
    }
}
