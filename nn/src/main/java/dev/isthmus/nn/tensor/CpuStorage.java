package dev.isthmus.nn.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
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
    /** The computation that fills this memory, not yet run (null once run); see {@link #defer}. */
    private volatile Deferred deferred;
    /** The thread running {@link #deferred}, which reads this memory as it writes it. */
    private Thread settling;
    /** Storages whose deferred computation reads this one, settled before this memory changes (guarded by this). */
    private List<CpuStorage> readers;

    /** A deferred fill: what computes it, and the input it reads with the version it must still have. */
    private record Deferred(Runnable fill, CpuStorage input, int inputVersion, String op) {
    }

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

    /**
     * The memory, bounded to exactly this storage's elements; a computation {@link #defer}red into it
     * runs first.
     */
    public MemorySegment segment() {
        checkLive();
        if (deferred != null) {
            settle();
        }
        return segment;
    }

    /**
     * Leaves this memory's contents to {@code fill}, run the first time the memory is reached
     * ({@link #segment()}), moved, or its input is about to change: work whose result nobody reads
     * (a softmax next to a loss that works from the logits) is never done. {@code fill} reads only
     * {@code input}, which must be owned by the same scope, and writes this memory as it would have
     * at once, so the bits are the same whenever it runs.
     */
    void defer(String op, CpuStorage input, Runnable fill) {
        if (input == this || input.owner() != owner()) {
            throw new IllegalArgumentException(op + ": a deferred fill must read other memory of the same scope");
        }
        deferred = new Deferred(fill, input, input.version(), op);
        input.addReader(this);
    }

    /** Whether a deferred computation has yet to fill this memory (for tests). */
    boolean isDeferred() {
        return deferred != null;
    }

    private synchronized void addReader(CpuStorage reader) {
        if (readers == null) {
            readers = new ArrayList<>(2);
        }
        readers.removeIf(r -> r.deferred == null);
        readers.add(reader);
    }

    private synchronized void settle() {
        Deferred d = deferred;
        if (d == null || settling == Thread.currentThread()) {
            return; // done by another thread meanwhile, or the fill itself reaching this memory
        }
        if (d.input().version() != d.inputVersion()) {
            throw new IllegalStateException(d.op() + "'s input was written in place (version " + d.inputVersion()
                    + " -> " + d.input().version() + ") before its deferred result was read, by code that did not call "
                    + "Tensor.beforeWriteInPlace() first; the result can no longer be computed");
        }
        settling = Thread.currentThread();
        try {
            d.fill().run();
            deferred = null;
        } finally {
            settling = null;
        }
    }

    @Override
    void beforeChange() {
        if (deferred != null) {
            settle();
        }
        List<CpuStorage> waiting;
        synchronized (this) {
            if (readers == null) {
                return;
            }
            waiting = readers;
            readers = null;
        }
        // settled outside this monitor: a reader's fill takes its own monitor, then reads this memory
        for (CpuStorage r : waiting) {
            if (r.deferred != null && !r.isFreed()) {
                r.settle();
            }
        }
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
