package dev.isthmus.nn.tensor;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters behind {@link DeviceStats}, one set per device, updated by its backend and
 * storage; safe to update from any thread.
 */
public final class DeviceCounters {
    private final LongAdder hostReads = new LongAdder();
    private final LongAdder synchronizations = new LongAdder();
    private final LongAdder allocations = new LongAdder();
    private final LongAdder launches = new LongAdder();
    private final LongAdder bytesAllocated = new LongAdder();
    private final AtomicLong bytesInUse = new AtomicLong();
    private final AtomicLong peakBytesInUse = new AtomicLong();

    /** Counters at zero; a backend makes one set for its device. */
    public DeviceCounters() {
    }

    /** A copy of values to the host, which waits for the device. */
    public void hostRead() {
        hostReads.increment();
        synchronizations.increment();
    }

    /** Work submitted to the device: an op enqueued, or a captured step replayed. */
    public void launched() {
        launches.increment();
    }

    /** A wait for the device's queued work to finish (a host read counts one itself). */
    public void synchronization() {
        synchronizations.increment();
    }

    /** An allocation of {@code bytes} on the device: counts it, adds it to the bytes in use and updates the peak. */
    public void allocated(long bytes) {
        allocations.increment();
        bytesAllocated.add(bytes);
        peakBytesInUse.accumulateAndGet(bytesInUse.addAndGet(bytes), Math::max);
    }

    /** {@code bytes} given back to the device (or its pool): subtracted from the bytes in use. */
    public void released(long bytes) {
        bytesInUse.addAndGet(-bytes);
    }

    /**
     * The counters' values now, an immutable {@link DeviceStats}; counters updated concurrently may be caught
     * mid-update relative to one another.
     */
    public DeviceStats snapshot() {
        return new DeviceStats(hostReads.sum(), synchronizations.sum(), allocations.sum(), bytesAllocated.sum(),
                bytesInUse.get(), peakBytesInUse.get(), launches.sum());
    }

    /** Zeroes the event counts; bytes in use stay, and the peak restarts from them. */
    public void reset() {
        hostReads.reset();
        synchronizations.reset();
        allocations.reset();
        launches.reset();
        bytesAllocated.reset();
        peakBytesInUse.set(bytesInUse.get());
    }
}
