package dev.isthmus.nn.backend.cuda;

import dev.isthmus.cuda.CudaException;

import java.util.function.Supplier;

/**
 * Device allocation when memory may be held by tensors nobody can reach any more: on running out,
 * the allocation first releases that memory (a collection, the cleaner's frees) and tries once
 * more; a second failure propagates, a {@code DeviceOutOfMemoryException} naming the request and
 * the pool's state after the release.
 */
final class AllocationRetry {
    private AllocationRetry() {
    }

    static <T> T allocate(Supplier<T> allocation, Runnable releaseUnreachable) {
        try {
            return allocation.get();
        } catch (CudaException e) {
            if (!e.isOutOfMemory()) {
                throw e;
            }
            releaseUnreachable.run();
            return allocation.get();
        }
    }
}
