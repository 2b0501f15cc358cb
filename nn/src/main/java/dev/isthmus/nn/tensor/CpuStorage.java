package dev.isthmus.nn.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Host storage: an off-heap, 64-byte aligned {@link MemorySegment}. Memory of a scope comes from
 * that scope's shared arena, or for large storage from {@link HostBlocks}, and is released, all
 * at once, when the scope closes; memory made outside any scope comes from an automatic arena and
 * is freed by the garbage collector.
 */
public final class CpuStorage extends Storage {
    static final long ALIGNMENT = 64;
    private static final AtomicLong LIVE_BYTES = new AtomicLong();
    private static final AtomicLong SCOPED_BYTES = new AtomicLong();
    private static final Cleaner CLEANER = Cleaner.create();
    private static final DeviceCounters COUNTERS = new DeviceCounters();

    private MemorySegment segment;

    private CpuStorage(long numel, DType dtype, Scope owner) {
        super(numel, dtype, owner);
        this.segment = allocateIn(owner, numel * dtype.byteSize(), this);
    }

    /** Storage of {@code numel} elements of {@code dtype}, contents unspecified, owned by {@code owner} (null: GC-managed). */
    public static CpuStorage allocate(long numel, DType dtype, Scope owner) {
        if (numel < 0) {
            throw new IllegalArgumentException("negative element count " + numel);
        }
        return new CpuStorage(numel, dtype, owner);
    }

    private static MemorySegment allocateIn(Scope owner, long bytes, Object holder) {
        long size = Math.max(bytes, Float.BYTES);
        MemorySegment segment;
        try {
            if (owner != null && size >= HostBlocks.MIN_BYTES) {
                HostBlocks.Block block = HostBlocks.take(size);
                owner.onClose(() -> HostBlocks.give(block));
                segment = block.memory().asSlice(0, size);
            } else {
                segment = (owner != null ? owner.arena() : Arena.ofAuto()).allocate(size, ALIGNMENT);
            }
        } catch (OutOfMemoryError e) {
            throw new AllocationException(size, "host memory for a tensor", e);
        }
        LIVE_BYTES.addAndGet(size);
        COUNTERS.allocated(size);
        if (owner != null) {
            SCOPED_BYTES.addAndGet(size);
            owner.accountHostBytes(size);
        } else {
            CLEANER.register(holder, () -> {
                LIVE_BYTES.addAndGet(-size);
                COUNTERS.released(size);
            });
        }
        return segment;
    }

    /** Host bytes allocated and not yet freed (GC-managed memory counts until it is collected). */
    public static long liveBytes() {
        return LIVE_BYTES.get();
    }

    /**
     * Host bytes owned by scopes that are still open: exact at every moment, unlike
     * {@link #liveBytes()}, which also counts GC-managed memory until it is collected.
     */
    public static long liveScopedBytes() {
        return SCOPED_BYTES.get();
    }

    /** The host's {@link Device#stats()} counters. */
    public static DeviceCounters counters() {
        return COUNTERS;
    }

    static void released(long bytes) {
        LIVE_BYTES.addAndGet(-bytes);
        COUNTERS.released(bytes);
        SCOPED_BYTES.addAndGet(-bytes);
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    /** The memory, bounded to exactly this storage's elements. */
    public MemorySegment segment() {
        checkLive();
        return segment;
    }

    @Override
    protected void relocate(Scope target) {
        MemorySegment fresh = allocateIn(target, segment.byteSize(), this);
        fresh.copyFrom(segment);
        segment = fresh;
    }

    /**
     * Element {@code i} (row-major, from 0) read as a float32, for tests and debugging.
     * @throws IndexOutOfBoundsException if {@code i} is outside the storage
     */
    public float get(long i) {
        return segment().getAtIndex(ValueLayout.JAVA_FLOAT, i);
    }
}
