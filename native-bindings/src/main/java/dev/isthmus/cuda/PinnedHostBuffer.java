package dev.isthmus.cuda;

import dev.isthmus.cuda.driver.CudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Page-locked host memory, for copies the device can run asynchronously; freed on close. */
public final class PinnedHostBuffer implements AutoCloseable {
    private final CudaContext context;
    private final MemorySegment segment;
    private boolean closed;

    private PinnedHostBuffer(CudaContext context, MemorySegment segment) {
        this.context = context;
        this.segment = segment;
    }

    public static PinnedHostBuffer allocate(CudaContext context, long bytes) {
        context.bind();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            CudaStatus.driver(CudaDriver.cuMemHostAlloc(out, Math.max(bytes, 1), CudaDriver.CU_MEMHOSTALLOC_PORTABLE()),
                    "cuMemHostAlloc(" + bytes + " bytes)");
            return new PinnedHostBuffer(context, out.get(ValueLayout.ADDRESS, 0).reinterpret(bytes));
        }
    }

    /** The memory, bounded to its size; invalid after {@link #close()}. */
    public MemorySegment segment() {
        if (closed) {
            throw new IllegalStateException("pinned buffer is closed");
        }
        return segment;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            context.bind();
            CudaStatus.driver(CudaDriver.cuMemFreeHost(segment), "cuMemFreeHost");
        }
    }
}
