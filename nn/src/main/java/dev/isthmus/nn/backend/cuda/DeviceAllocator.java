package dev.isthmus.nn.backend.cuda;

import dev.isthmus.cuda.CudaMemoryPool;
import dev.isthmus.cuda.CudaStream;
import dev.isthmus.cuda.DeviceBuffer;

import java.time.Duration;

/**
 * Every device allocation of one backend: from the pool, ordered on the backend's stream, and
 * retried once after releasing GC-pending memory when the device is full (see {@link AllocationRetry}).
 */
final class DeviceAllocator {
    /** How long an out-of-memory waits for the cleaner before retrying anyway. */
    private static final Duration CLEANER_WAIT = Duration.ofSeconds(2);

    private final CudaStream stream;
    private final CudaMemoryPool pool;

    DeviceAllocator(CudaStream stream, CudaMemoryPool pool) {
        this.stream = stream;
        this.pool = pool;
    }

    private int liveGraphs;
    private final java.util.List<DeviceBuffer> retired = new java.util.ArrayList<>();

    /** A captured step now holds the addresses of the long-lived buffers (see {@link #retire}). */
    synchronized void graphOpened() {
        liveGraphs++;
    }

    /** A captured step closed: with the last one, the buffers retired meanwhile are freed. */
    synchronized void graphClosed() {
        if (--liveGraphs == 0) {
            retired.forEach(DeviceBuffer::close);
            retired.clear();
        }
    }

    /**
     * Frees a long-lived buffer that is being replaced (reduction partials, a convolution
     * workspace, the Adam table), or, while a captured step may still use its address, keeps it
     * until the last graph closes: a replay must never write memory the pool has handed out again.
     */
    synchronized void retire(DeviceBuffer buffer) {
        if (liveGraphs > 0) {
            retired.add(buffer);
        } else {
            buffer.close();
        }
    }

    DeviceBuffer allocate(long bytes) {
        return AllocationRetry.allocate(() -> DeviceBuffer.allocate(stream, bytes, pool), this::releaseUnreachable);
    }

    /**
     * The cleaner's frees are stream-ordered; the synchronize completes them, so the retry finds
     * the memory back in the pool whichever stream it was freed on.
     */
    private void releaseUnreachable() {
        GcReleasedMemory.collect(CudaStorage::liveBytes, CLEANER_WAIT);
        stream.synchronize();
    }
}
