package dev.isthmus.nn.tensor;

/**
 * An index (a row number, token id or class label) outside the range the operation addresses.
 * The CPU backend throws it from the op itself; the CUDA backend records the first bad index on
 * the device and throws at the next read of any value from the device, so checking costs no
 * host round trip.
 */
public final class IndexOutOfRangeException extends IllegalArgumentException {
    /** Where the bad index sits in the flattened index tensor. */
    private final long position;
    /** The bad index. */
    private final long value;
    /** The exclusive upper bound. */
    private final long bound;

    /** Index {@code value} at {@code position} of {@code op}'s index tensor is outside {@code [0, bound)}. */
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

    /** The bad index itself. */
    public long value() {
        return value;
    }

    /** The exclusive upper bound the index had to stay below. */
    public long bound() {
        return bound;
    }
}
