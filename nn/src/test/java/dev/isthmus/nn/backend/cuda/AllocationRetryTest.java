package dev.isthmus.nn.backend.cuda;

import dev.isthmus.cuda.CudaException;
import dev.isthmus.cuda.DeviceOutOfMemoryException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without a GPU: the out-of-memory policy against a fake allocator, and the cleaner it waits for. */
class AllocationRetryTest {
    private static DeviceOutOfMemoryException outOfMemory(long bytes) {
        return new DeviceOutOfMemoryException(bytes, "pool: fake", new long[] {0, 1 << 30});
    }

    /** Fails with out-of-memory the first {@code failures} times, then hands out a token. */
    private static Supplier<Object> allocator(int failures, AtomicInteger attempts, Object token) {
        return () -> {
            if (attempts.getAndIncrement() < failures) {
                throw outOfMemory(4096);
            }
            return token;
        };
    }

    @Test
    void anOutOfMemoryReleasesUnreachableMemoryThenRetriesOnce() {
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger releases = new AtomicInteger();
        Object token = new Object();
        assertSame(token, AllocationRetry.allocate(allocator(1, attempts, token), releases::incrementAndGet));
        assertEquals(2, attempts.get());
        assertEquals(1, releases.get());
    }

    @Test
    void aSecondOutOfMemoryIsRaisedNamingTheRequest() {
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger releases = new AtomicInteger();
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
                () -> AllocationRetry.allocate(allocator(2, attempts, new Object()), releases::incrementAndGet));
        assertEquals(2, attempts.get(), "one retry, not more");
        assertEquals(1, releases.get());
        assertEquals(4096, e.requestedBytes());
        assertTrue(e.getMessage().contains("4096 bytes"), e.getMessage());
    }

    @Test
    void otherDeviceErrorsAreNotRetried() {
        AtomicInteger releases = new AtomicInteger();
        CudaException invalid = new CudaException(CudaException.Api.DRIVER, "cuMemAllocAsync", 1,
                "CUDA_ERROR_INVALID_VALUE", "invalid argument", false);
        assertSame(invalid, assertThrows(CudaException.class, () -> AllocationRetry.allocate(() -> {
            throw invalid;
        }, releases::incrementAndGet)));
        assertEquals(0, releases.get());
    }

    @Test
    void collectingRunsTheCleanerOfUnreachableOwnersBeforeReturning() {
        AtomicLong live = new AtomicLong(3000);
        for (int i = 0; i < 3; i++) {
            registerUnreachable(live);
        }
        assertTrue(GcReleasedMemory.collect(live::get, Duration.ofSeconds(10)));
        assertEquals(0, live.get());
    }

    /** An owner no one references once this returns, whose release gives back 1000 bytes. */
    private static void registerUnreachable(AtomicLong live) {
        GcReleasedMemory.register(new byte[16], () -> live.addAndGet(-1000));
    }
}
