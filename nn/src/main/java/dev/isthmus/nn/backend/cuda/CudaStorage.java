package dev.isthmus.nn.backend.cuda;

import dev.isthmus.cuda.DeviceBuffer;
import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.DeviceCounters;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Storage;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Storage in device memory from the backend's stream-ordered pool. A scope frees it when
 * it closes (ordered after the work already enqueued on the stream); storage made outside any
 * scope is freed when the garbage collector finds it unreachable ({@link GcReleasedMemory}).
 */
final class CudaStorage extends Storage {
    private static final AtomicLong LIVE_BYTES = new AtomicLong();

    private final Device device;
    private final DeviceAllocator allocator;
    private final Holder holder;
    private final DeviceCounters counters;

    /** The current buffer, reachable from the release actions without keeping the storage alive. */
    private static final class Holder implements Runnable {
        final DeviceCounters counters;
        volatile DeviceBuffer buffer;

        Holder(DeviceCounters counters) {
            this.counters = counters;
        }

        @Override
        public void run() {
            release(buffer, counters);
        }
    }

    CudaStorage(Device device, DeviceAllocator allocator, DeviceCounters counters, long numel, DType dtype,
                Scope owner) {
        super(numel, dtype, owner);
        this.device = device;
        this.allocator = allocator;
        this.counters = counters;
        this.holder = new Holder(counters);
        holder.buffer = allocateFor(owner, byteSize());
        if (owner == null) {
            GcReleasedMemory.register(this, holder);
        }
    }

    private DeviceBuffer allocateFor(Scope owner, long bytes) {
        DeviceBuffer buffer = allocator.allocate(bytes);
        LIVE_BYTES.addAndGet(buffer.byteSize());
        counters.allocated(buffer.byteSize());
        if (owner != null) {
            owner.onClose(() -> release(buffer, counters));
        }
        return buffer;
    }

    private static void release(DeviceBuffer buffer, DeviceCounters counters) {
        if (buffer != null && buffer.release()) {
            LIVE_BYTES.addAndGet(-buffer.byteSize());
            counters.released(buffer.byteSize());
        }
    }

    /** Device bytes held by live storage (GC-managed storage counts until it is collected). */
    static long liveBytes() {
        return LIVE_BYTES.get();
    }

    @Override
    public Device device() {
        return device;
    }

    DeviceBuffer buffer() {
        checkLive();
        return holder.buffer;
    }

    @Override
    protected void relocate(Scope target) {
        DeviceBuffer old = holder.buffer;
        DeviceBuffer fresh = allocateFor(target, byteSize());
        fresh.copyFrom(old, 0, 0, old.byteSize());
        holder.buffer = fresh;
        release(old, counters);
        if (target == null) {
            GcReleasedMemory.register(this, holder);
        }
    }
}
