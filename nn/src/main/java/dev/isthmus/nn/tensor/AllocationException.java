package dev.isthmus.nn.tensor;

/**
 * Memory for a tensor could not be had: the request is larger than the heap, the machine or the
 * device can hold. The message names the requested size, so a corrupt shape is easy to tell from
 * a model that simply does not fit.
 */
public class AllocationException extends RuntimeException {
    /** The size of the failed request, in bytes. */
    private final long requestedBytes;

    /**
     * {@code requestedBytes} could not be allocated for {@code where} (such as "host memory for a tensor"); {@code
     * cause} is
     * the allocator's error.
     */
    public AllocationException(long requestedBytes, String where, Throwable cause) {
        super("cannot allocate " + requestedBytes + " bytes (" + human(requestedBytes) + ") of " + where
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
        this.requestedBytes = requestedBytes;
    }

    /** The size of the request that failed, in bytes. */
    public long requestedBytes() {
        return requestedBytes;
    }

    private static String human(long bytes) {
        return bytes < 1L << 20 ? bytes / 1024 + " KiB"
                : bytes < 1L << 30 ? bytes / (1L << 20) + " MiB"
                : String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
}
