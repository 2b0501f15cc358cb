package dev.isthmus.nn.backend;

/** A device was asked for whose backend cannot run here; the message says what is missing. */
public class BackendUnavailableException extends RuntimeException {
    /** The backend cannot run here, for the reason {@code message} gives (a missing driver, device or library). */
    public BackendUnavailableException(String message) {
        super(message);
    }
}
