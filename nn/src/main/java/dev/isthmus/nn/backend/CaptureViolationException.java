package dev.isthmus.nn.backend;

/**
 * Work that cannot be part of a captured training step was asked for inside its capture: a read
 * of values to the host, a wait for the device, an upload of host memory, or a step value first
 * requested there. A graph records device work only, so such a step could not be replayed; the
 * capture is abandoned and this names the operation.
 */
public final class CaptureViolationException extends IllegalStateException {
    /** The operation refused. */
    private final String operation;

    /** {@code operation} (such as "copyToHost (a read of values to the host)") was asked for inside a captured step. */
    public CaptureViolationException(String operation) {
        super(operation + " inside a captured training step (Fit.cudaGraphs): a CUDA graph replays device work only,"
                + " so a step may not read values to the host, wait for the device or upload host memory;"
                + " train this model with cudaGraphs(false), or move that work out of the step");
        this.operation = operation;
    }

    /** The operation that was refused. */
    public String operation() {
        return operation;
    }
}
