package dev.isthmus.nn.model;

/**
 * A thread called {@code fit}, {@code evaluate} or {@code predict} on a model that another
 * thread is running one of those on. A model is not thread-safe: two calls at once would
 * interleave their steps and updates, so the second is refused instead. Use one model per thread
 * (or run the calls one after another).
 */
public class ConcurrentModelUseException extends IllegalStateException {
    /**
     * Refuses {@code call} ("fit", "evaluate" or "predict") on the model named {@code model}, which thread
     * {@code busyIn} is running.
     */
    public ConcurrentModelUseException(String model, String call, Thread busyIn) {
        super(call + " on model \"" + model + "\" was refused: thread \"" + busyIn.getName()
                + "\" is running fit, evaluate or predict on it; a model runs one of those at a time");
    }
}
