package dev.isthmus.nn.data;

/**
 * A {@link Dataset} that failed while producing an element: a loader that threw on a prefetch
 * thread (the cause is the loader's exception), an element of the wrong shape for a batch, or a
 * one-shot dataset asked for a second pass.
 */
public class DatasetException extends RuntimeException {
    /** A dataset failure described by {@code message}. */
    public DatasetException(String message) {
        super(message);
    }

    /** A dataset failure described by {@code message}, caused by {@code cause} (such as a loader's exception). */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
