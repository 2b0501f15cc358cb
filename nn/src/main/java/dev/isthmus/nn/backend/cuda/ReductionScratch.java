package dev.isthmus.nn.backend.cuda;

import dev.isthmus.cuda.DeviceBuffer;
import dev.isthmus.cuda.DeviceMemory;
import dev.isthmus.kernels.ScratchSpace;

/**
 * The partials of the backend's two-pass reductions: one device buffer, grown when a reduction
 * needs more. Only kernels on the backend's stream use it, so stream order alone keeps one
 * reduction from overwriting another's partials, and the old buffer's stream-ordered free waits
 * for the kernels still reading it.
 */
final class ReductionScratch implements ScratchSpace, AutoCloseable {
    private static final long MIN_BYTES = 1 << 16;

    private final DeviceAllocator allocator;
    private DeviceBuffer buffer;

    ReductionScratch(DeviceAllocator allocator) {
        this.allocator = allocator;
    }

    @Override
    public synchronized DeviceMemory atLeast(long bytes) {
        if (buffer == null || buffer.byteSize() < bytes) {
            if (buffer != null) {
                allocator.retire(buffer);
                buffer = null;
            }
            buffer = allocator.allocate(Math.max(bytes, MIN_BYTES));
        }
        return buffer;
    }

    @Override
    public synchronized void close() {
        if (buffer != null) {
            buffer.close();
            buffer = null;
        }
    }
}
