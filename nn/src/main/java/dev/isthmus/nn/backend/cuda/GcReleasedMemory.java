package dev.isthmus.nn.backend.cuda;

import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Device memory of storage made outside any scope, which only the garbage collector frees: the
 * cleaner that frees it, and {@link #collect} to make that happen now, when an allocation has
 * just run out of memory that unreachable tensors still hold.
 */
final class GcReleasedMemory {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final long SETTLE_POLL_MILLIS = 5;

    private GcReleasedMemory() {
    }

    /** Runs {@code release} once {@code owner} is unreachable. */
    static void register(Object owner, Runnable release) {
        CLEANER.register(owner, release);
    }

    /**
     * Collects garbage and waits, at most {@code timeout}, for the cleaner to release what it
     * found: until a sentinel unreachable since before the collection has been cleaned, then
     * until {@code liveBytes} stops falling (the cleaner's queue has no order, so the sentinel
     * alone does not say the others are done). Returns whether it settled within the timeout.
     */
    static boolean collect(LongSupplier liveBytes, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        CountDownLatch sentinelCleaned = registerSentinel();
        System.gc();
        try {
            if (!sentinelCleaned.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return false;
            }
            long last = liveBytes.getAsLong();
            while (System.nanoTime() < deadline) {
                Thread.sleep(SETTLE_POLL_MILLIS);
                long now = liveBytes.getAsLong();
                if (now == last) {
                    return true;
                }
                last = now;
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** An object no one references once this returns, with a cleaning action that counts down the latch. */
    private static CountDownLatch registerSentinel() {
        CountDownLatch cleaned = new CountDownLatch(1);
        CLEANER.register(new Object(), cleaned::countDown);
        return cleaned;
    }
}
