package dev.isthmus.nn.tensor;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * Owner of tensor memory. Every tensor created while a scope is the innermost open scope on the
 * current thread belongs to it, and closing the scope frees all of them at once. Scopes nest; a
 * tensor that must outlive its scope is moved out with {@link #keep}. Tensors created outside any
 * scope are freed by the garbage collector.
 *
 * <pre>{@code
 * try (Scope step = Scope.open()) {
 *     Tensor loss = model.forward(x).sub(y).square().mean();
 *     ...
 * } // every intermediate tensor is freed here
 * }</pre>
 *
 * {@link #open()} scopes are confined to the thread that opened them; {@link #independent(String)}
 * scopes (a model's parameters) are not on any thread's stack and are closed explicitly.
 */
public final class Scope implements AutoCloseable {
    private static final boolean DEBUG = Boolean.getBoolean("isthmus.debug.memory");
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    private final String name;
    private final Scope parent;
    private final Thread thread;
    private final List<Runnable> releases = new ArrayList<>();
    private Arena arena;
    private long hostBytes;
    private volatile boolean closed;
    private Throwable closedAt;

    private Scope(String name, Scope parent, Thread thread) {
        this.name = name;
        this.parent = parent;
        this.thread = thread;
    }

    /** Opens a scope nested in the current thread's innermost scope. */
    public static Scope open() {
        return open("scope");
    }

    /**
     * Opens a scope named {@code name} (shown in leak and use-after-free messages) nested in the current thread's
     * innermost scope; it becomes the current one until closed, on the same thread.
     */
    public static Scope open(String name) {
        Scope s = new Scope(name, CURRENT.get(), Thread.currentThread());
        CURRENT.set(s);
        return s;
    }

    /** A scope not tied to any thread or nesting, closed explicitly (e.g. a model's parameters). */
    public static Scope independent(String name) {
        return new Scope(name, null, null);
    }

    /** The innermost open scope of this thread, or null when tensors are GC-managed. */
    public static Scope current() {
        return CURRENT.get();
    }

    /**
     * Whether {@link #close()} has run: the tensors it owned are freed and throw {@link TensorFreedException} when
     * used.
     */
    public boolean isClosed() {
        return closed;
    }

    Throwable closedAt() {
        return closedAt;
    }

    synchronized Arena arena() {
        ensureOpen();
        if (arena == null) {
            arena = Arena.ofShared();
        }
        return arena;
    }

    synchronized void accountHostBytes(long bytes) {
        hostBytes += bytes;
    }

    /** Registers work to run when this scope closes (device backends free their memory here). */
    public synchronized void onClose(Runnable release) {
        ensureOpen();
        releases.add(release);
    }

    private void ensureOpen() {
        if (closed) {
            throw new TensorFreedException(this + " is closed; no new tensors can be owned by it", closedAt);
        }
    }

    /**
     * Moves {@code tensor}'s memory to this scope's parent (or to the garbage collector when there
     * is none), so it survives this scope's close. Returns the same tensor.
     */
    public Tensor keep(Tensor tensor) {
        tensor.storage().moveTo(parent);
        return tensor;
    }

    /** Moves {@code tensor}'s memory into this scope. Returns the same tensor. */
    public Tensor adopt(Tensor tensor) {
        ensureOpen();
        tensor.storage().moveTo(this);
        return tensor;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (thread != null && thread != Thread.currentThread()) {
                throw new IllegalStateException(this + " was opened on thread " + thread.getName()
                        + " and must be closed there, not on " + Thread.currentThread().getName());
            }
            if (thread != null && CURRENT.get() != this) {
                throw new IllegalStateException(this + " is not the innermost open scope of this thread;"
                        + " close nested scopes first (try-with-resources does this)");
            }
            closed = true;
            if (DEBUG) {
                closedAt = new Throwable(this + " closed here");
            }
        }
        if (thread != null) {
            CURRENT.set(parent);
        }
        for (int i = releases.size() - 1; i >= 0; i--) {
            releases.get(i).run();
        }
        releases.clear();
        if (arena != null) {
            arena.close();
        }
        // host bytes come from the arena or, for large tensors, from pooled blocks returned by the
        // releases above: a scope may hold the latter without ever having opened its arena
        if (hostBytes != 0) {
            CpuStorage.released(hostBytes);
        }
    }

    @Override
    public String toString() {
        return "Scope '" + name + "'";
    }
}
