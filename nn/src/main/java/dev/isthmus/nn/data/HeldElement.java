package dev.isthmus.nn.data;

import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import java.util.function.Supplier;

/**
 * An element kept by a stage across pulls (a shuffle buffer, a prefetch queue). Tensors made
 * while it was produced are moved into a scope of its own, so the consumer's per-step scopes
 * cannot free them while they wait; on release they move into the consumer's current scope (or to
 * the garbage collector when there is none). Tensors owned elsewhere (the user's) are left alone.
 */
final class HeldElement {
    private final Tensor[] tensors;
    private final Scope holder;

    private HeldElement(Tensor[] tensors, Scope holder) {
        this.tensors = tensors;
        this.holder = holder;
    }

    /** Pulls an element from {@code upstream}, freeing its intermediates; null at the end. */
    static HeldElement take(Supplier<Tensor[]> upstream) {
        try (Scope making = Scope.open("dataset element")) {
            Tensor[] e = upstream.get();
            if (e == null) {
                return null;
            }
            Scope holder = Scope.independent("held dataset element");
            for (Tensor t : e) {
                if (t.storage().owner() == making) {
                    holder.adopt(t);
                }
            }
            return new HeldElement(e, holder);
        }
    }

    /** The element, now owned by the caller's current scope (or the garbage collector). */
    Tensor[] release() {
        Scope to = Scope.current();
        for (Tensor t : tensors) {
            if (t.storage().owner() == holder) {
                if (to != null) {
                    to.adopt(t);
                } else {
                    holder.keep(t);
                }
            }
        }
        holder.close();
        return tensors;
    }

    /** Frees the element unused. */
    void discard() {
        holder.close();
    }
}
