package dev.isthmus.nn.tensor;

/**
 * An index (a row number, token id or class label) outside the range the operation addresses.
 * The CPU backend throws it from the op itself; the CUDA backend records the first bad index on
 * the device and throws at the next read of any value from the device, so checking costs no
 * host round trip.
 */
public final class IndexOutOfRangeException extends IllegalArgumentException {
    private final long position;
    private final long value;
    private final long bound;

    public IndexOutOfRangeException(String op, long position, long value, long bound) {
        super(op + ": index " + value + " at position " + position + " is outside [0, " + bound + ")");
        this.position = position;
        this.value = value;
        this.bound = bound;
    }

    /** Position of the offending index in the (flattened) index tensor. */
    public long position() {
        return position;
    }

    public long value() {
        return value;
    }

    /** The exclusive upper bound the index had to stay below. */
    public long bound() {
        return bound;
    }
}
