package dev.isthmus.nn.tensor;

/**
 * A block of memory holding {@code numel} elements of one {@link DType} on one device, owned by a
 * {@link Scope} (or, when created outside any scope, by the garbage collector). Tensors view
 * storage; several tensors may share one, and with it its version: the count of in-place writes,
 * which autograd compares with the version an operation saved to refuse a stale backward.
 */
public abstract class Storage {
    private final long numel;
    private final DType dtype;
    private Scope owner;
    private int version;
    private int moves;

    /**
     * Storage of {@code numel} elements of {@code dtype}, owned by {@code owner} (null: the garbage collector); a
     * backend's allocator makes it, after allocating the memory.
     */
    protected Storage(long numel, DType dtype, Scope owner) {
        this.numel = numel;
        this.dtype = dtype;
        this.owner = owner;
    }

    /** The device whose memory this is. */
    public abstract Device device();

    /** The number of elements. */
    public final long numel() {
        return numel;
    }

    /** The element type. */
    public final DType dtype() {
        return dtype;
    }

    /** The size in bytes: elements times the element type's size. */
    public final long byteSize() {
        return numel * dtype.byteSize();
    }

    /** How many times this memory was written in place since it was made. */
    public final int version() {
        return version;
    }

    final void bumpVersion() {
        version++;
    }

    /** The scope whose closing frees this storage; null when the garbage collector frees it. */
    public final Scope owner() {
        return owner;
    }

    /** Whether the owning scope has closed, so the memory is freed (never for GC-owned storage). */
    public final boolean isFreed() {
        return owner != null && owner.isClosed();
    }

    /** Throws {@link TensorFreedException} if the owning scope has closed. */
    public final void checkLive() {
        if (isFreed()) {
            throw new TensorFreedException("tensor storage of " + numel + " " + dtype + " elements was freed when "
                    + owner + " closed" + (owner.closedAt() == null
                            ? " (run with -Disthmus.debug.memory=true to record where)" : ""),
                    owner.closedAt());
        }
    }

    /**
     * How many times this storage has moved to fresh memory ({@link Scope#keep}, {@link Scope#adopt}):
     * work captured against its old address (a CUDA graph) no longer reaches it.
     */
    public final int moves() {
        return moves;
    }

    /** Moves the contents into fresh memory owned by {@code target} (null: the garbage collector). */
    protected abstract void relocate(Scope target);

    /**
     * Called before this memory is written in place or moved: work deferred against its current
     * contents (its own, and that of storages reading it) is done first. Nothing to do by default.
     */
    void beforeChange() {
    }

    final void moveTo(Scope target) {
        checkLive();
        if (target == owner) {
            return;
        }
        beforeChange();
        relocate(target);
        owner = target;
        moves++;
    }
}
