package dev.isthmus.nn.backend;

import dev.isthmus.nn.tensor.Device;

import java.util.function.Supplier;

/**
 * Whether the current thread is capturing a training step, so every operation that cannot be
 * replayed from a graph (host reads, synchronisations, uploads) fails at once with a
 * {@link CaptureViolationException} naming it, instead of breaking the capture in the driver.
 * Capture on the CPU is an emulation ({@link RecordingStepGraph}) whose recording backend stands
 * in for the CPU backend on the capturing thread.
 */
public final class StepCapture {
    private static final ThreadLocal<Backend> CAPTURING = new ThreadLocal<>();

    private StepCapture() {
    }

    /** True while this thread is capturing a step. */
    public static boolean active() {
        return CAPTURING.get() != null;
    }

    /** Throws {@link CaptureViolationException} for {@code operation} when this thread is capturing. */
    public static void refuse(String operation) {
        if (active()) {
            throw new CaptureViolationException(operation);
        }
    }

    /** Runs {@code capture} with this thread marked as capturing on {@code backend}. */
    public static <T> T during(Backend backend, Supplier<T> capture) {
        if (active()) {
            throw new IllegalStateException("a step capture is already in progress on this thread");
        }
        CAPTURING.set(backend);
        try {
            return capture.get();
        } finally {
            CAPTURING.remove();
        }
    }

    /** The backend that records the CPU's work while a CPU capture runs on this thread, else null. */
    static Backend cpuStandIn() {
        Backend b = CAPTURING.get();
        return b != null && b.device().kind() == Device.Kind.CPU ? b : null;
    }
}
