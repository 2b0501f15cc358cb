package dev.isthmus.nn.autograd;

/**
 * Whether operations on this thread record the tape. Inference and optimizer updates run under
 * {@link #noGrad()}:
 * <pre>{@code
 * try (var ignored = GradMode.noGrad()) { ... }
 * }</pre>
 */
public final class GradMode {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private GradMode() {
    }

    /** Whether ops on the current thread record the tape now: true unless inside a {@link #noGrad()} block. */
    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /** Disables recording until the returned handle is closed; restores the previous mode. */
    public static Restore noGrad() {
        return set(false);
    }

    /** Enables recording until the returned handle is closed; restores the previous mode. */
    public static Restore enableGrad() {
        return set(true);
    }

    private static Restore set(boolean enabled) {
        boolean previous = ENABLED.get();
        ENABLED.set(enabled);
        return () -> ENABLED.set(previous);
    }

    /** Restores the previous grad mode on close. */
    @FunctionalInterface
    public interface Restore extends AutoCloseable {
        @Override
        void close();
    }
}
