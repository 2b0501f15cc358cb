package dev.isthmus.cuda;

import dev.isthmus.cuda.driver.CudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A device's default stream-ordered memory pool ({@code cuMemAllocAsync} draws from it). With a
 * high release threshold, memory freed with {@code cuMemFreeAsync} stays reserved in the pool and
 * is handed out again without going back to the driver.
 */
public final class CudaMemoryPool {
    private final CudaContext context;
    private final MemorySegment pool;

    private CudaMemoryPool(CudaContext context, MemorySegment pool) {
        this.context = context;
        this.pool = pool;
    }

    public static CudaMemoryPool defaultPool(CudaContext context) {
        context.bind();
        if (!context.device().memoryPools()) {
            throw new UnsupportedOperationException(context.device().name() + " does not support stream-ordered memory pools");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            CudaStatus.driver(CudaDriver.cuDeviceGetDefaultMemPool(out, context.deviceHandle()), "cuDeviceGetDefaultMemPool");
            return new CudaMemoryPool(context, out.get(ValueLayout.ADDRESS, 0));
        }
    }

    /** Keeps up to {@code bytes} reserved after a synchronize instead of returning it to the driver. */
    public void setReleaseThreshold(long bytes) {
        setAttribute(CudaDriver.CU_MEMPOOL_ATTR_RELEASE_THRESHOLD(), bytes, "release threshold");
    }

    public long releaseThreshold() {
        return attribute(CudaDriver.CU_MEMPOOL_ATTR_RELEASE_THRESHOLD());
    }

    /** Bytes the pool holds from the driver now (in use or cached). */
    public long reservedBytes() {
        return attribute(CudaDriver.CU_MEMPOOL_ATTR_RESERVED_MEM_CURRENT());
    }

    /** Bytes handed out to allocations and not yet freed. */
    public long usedBytes() {
        return attribute(CudaDriver.CU_MEMPOOL_ATTR_USED_MEM_CURRENT());
    }

    public long reservedHighWaterBytes() {
        return attribute(CudaDriver.CU_MEMPOOL_ATTR_RESERVED_MEM_HIGH());
    }

    /** Returns cached memory above {@code keepBytes} to the driver (after an out-of-memory, say). */
    public void trimTo(long keepBytes) {
        context.bind();
        CudaStatus.driver(CudaDriver.cuMemPoolTrimTo(pool, keepBytes), "cuMemPoolTrimTo");
    }

    /** e.g. "pool: 1.2 GiB reserved, 0.8 GiB used, release threshold 16 EiB". */
    public String describe() {
        return String.format("pool: %d bytes reserved, %d bytes in use, release threshold %d bytes",
                reservedBytes(), usedBytes(), releaseThreshold());
    }

    private long attribute(int attribute) {
        context.bind();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(ValueLayout.JAVA_LONG);
            CudaStatus.driver(CudaDriver.cuMemPoolGetAttribute(pool, attribute, v), "cuMemPoolGetAttribute");
            return v.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    private void setAttribute(int attribute, long value, String what) {
        context.bind();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(ValueLayout.JAVA_LONG);
            v.set(ValueLayout.JAVA_LONG, 0, value);
            CudaStatus.driver(CudaDriver.cuMemPoolSetAttribute(pool, attribute, v), "cuMemPoolSetAttribute(" + what + ")");
        }
    }
}
