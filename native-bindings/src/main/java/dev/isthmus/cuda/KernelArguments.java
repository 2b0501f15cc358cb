package dev.isthmus.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The parameter block of one kernel launch: the argument values, each at its natural alignment
 * (structures passed by value included), and the array of pointers to them that
 * {@code cuLaunchKernel} reads. The driver copies the values at launch, so one instance is
 * refilled ({@link #reset()}) and launched again; it is not for concurrent use.
 */
public final class KernelArguments implements AutoCloseable {
    private static final int MAX_ARGUMENTS = 32;
    private static final int VALUE_BYTES = 2048;

    // Shared, not confined: the backend may be driven from any thread (calls are serialised by its locks).
    private final Arena arena = Arena.ofShared();
    private final MemorySegment values = arena.allocate(VALUE_BYTES, 16);
    private final MemorySegment pointers = arena.allocate(ValueLayout.ADDRESS, MAX_ARGUMENTS);
    private final long[] sizes = new long[MAX_ARGUMENTS];
    private int count;
    private long used;

    /** Starts filling from the first argument again. */
    public KernelArguments reset() {
        count = 0;
        used = 0;
        return this;
    }

    public KernelArguments pointer(DeviceMemory buffer) {
        values.set(ValueLayout.JAVA_LONG, slot(8, 8), buffer.pointer());
        return this;
    }

    /** A null pointer (an optional operand that is absent). */
    public KernelArguments nullPointer() {
        values.set(ValueLayout.JAVA_LONG, slot(8, 8), 0L);
        return this;
    }

    public KernelArguments i32(int value) {
        values.set(ValueLayout.JAVA_INT, slot(4, 4), value);
        return this;
    }

    public KernelArguments i64(long value) {
        values.set(ValueLayout.JAVA_LONG, slot(8, 8), value);
        return this;
    }

    public KernelArguments f32(float value) {
        values.set(ValueLayout.JAVA_FLOAT, slot(4, 4), value);
        return this;
    }

    /** A structure of 64-bit integers passed by value (e.g. {@code struct Dims { long long v[8]; }}). */
    public KernelArguments i64Struct(long[] fields) {
        MemorySegment.copy(fields, 0, values, ValueLayout.JAVA_LONG, slot(8L * fields.length, 8), fields.length);
        return this;
    }

    /** A structure of 32-bit integers passed by value. */
    public KernelArguments i32Struct(int[] fields) {
        MemorySegment.copy(fields, 0, values, ValueLayout.JAVA_INT, slot(4L * fields.length, 4), fields.length);
        return this;
    }

    MemorySegment pointers() {
        return pointers;
    }

    public int count() {
        return count;
    }

    /** The byte size of each argument so far, to check against the kernel's declared parameters. */
    public long[] sizes() {
        return java.util.Arrays.copyOf(sizes, count);
    }

    /**
     * Reserves the next argument's bytes and points the next pointer at them; returns their offset
     * in {@code values}. (Launches are the hot path: no segment is made per argument.)
     */
    private long slot(long bytes, long alignment) {
        long at = (used + alignment - 1) / alignment * alignment;
        if (count == MAX_ARGUMENTS || at + bytes > VALUE_BYTES) {
            throw new IllegalStateException("kernel argument block is full (" + MAX_ARGUMENTS + " arguments, "
                    + VALUE_BYTES + " bytes)");
        }
        sizes[count] = bytes;
        pointers.setAtIndex(ValueLayout.JAVA_LONG, count++, values.address() + at);
        used = at + bytes;
        return at;
    }

    @Override
    public void close() {
        arena.close();
    }
}
