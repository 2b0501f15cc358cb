package dev.isthmus.nn.model;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Lets one thread at a time into a model's fit, evaluate and predict. The thread inside may
 * enter again (fit evaluates the validation data; a callback may predict); any other is refused.
 */
final class ExclusiveUse {
    /** Leaves what {@link #enter} entered; closing an inner entry leaves the model held. */
    interface Entry extends AutoCloseable {
        @Override
        void close();
    }

    private final AtomicReference<Thread> holder = new AtomicReference<>();

    Entry enter(String model, String call) {
        Thread me = Thread.currentThread();
        Thread other = holder.compareAndExchange(null, me);
        if (other == null) {
            return () -> holder.set(null);
        }
        if (other == me) {
            return () -> { };
        }
        throw new ConcurrentModelUseException(model, call, other);
    }
}
