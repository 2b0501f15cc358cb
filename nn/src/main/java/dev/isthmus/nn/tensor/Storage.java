package dev.isthmus.nn.tensor;

/**
 * A block of float32 memory on one device, owned by a {@link Scope} (or, when created outside
 * any scope, by the garbage collector). Tensors view storage; several tensors may share one.
 */
public abstract class Storage {
    private final long numel;
    private Scope owner;

    protected Storage(long numel, Scope owner) {
        this.numel = numel;
        this.owner = owner;
    }

    public abstract Device device();

    public final long numel() {
        return numel;
    }

    public final long byteSize() {
        return numel * Float.BYTES;
    }

    /** The scope whose closing frees this storage; null when the garbage collector frees it. */
    public final Scope owner() {
        return owner;
    }

    public final boolean isFreed() {
        return owner != null && owner.isClosed();
    }

    /** Throws {@link TensorFreedException} if the owning scope has closed. */
    public final void checkLive() {
        if (isFreed()) {
            throw new TensorFreedException("tensor storage of " + numel + " floats was freed when "
                    + owner + " closed" + (owner.closedAt() == null
                            ? " (run with -Disthmus.debug.memory=true to record where)" : ""),
                    owner.closedAt());
        }
    }

    /** Moves the contents into fresh memory owned by {@code target} (null: the garbage collector). */
    protected abstract void relocate(Scope target);

    final void moveTo(Scope target) {
        checkLive();
        if (target == owner) {
            return;
        }
        relocate(target);
        owner = target;
    }
}
