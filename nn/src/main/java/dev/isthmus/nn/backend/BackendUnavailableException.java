package dev.isthmus.nn.backend;

/** A device was asked for whose backend cannot run here; the message says what is missing. */
public class BackendUnavailableException extends RuntimeException {
    public BackendUnavailableException(String message) {
        super(message);
    }
}
