package dev.isthmus.cuda;

/** The driver refused a PTX module; the message carries the JIT compiler's log. */
public final class KernelLoadException extends RuntimeException {
    public KernelLoadException(String module, String jitLog, CudaException cause) {
        super("the CUDA driver could not load PTX module " + module + ": " + cause.getMessage()
                + (jitLog.isEmpty() ? "" : "\nJIT log:\n" + jitLog), cause);
    }
}
