package dev.isthmus.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The parameter block of one kernel launch: each argument in an 8-byte slot and the array of
 * pointers to the slots that {@code cuLaunchKernel} reads. The driver copies the values at
 * launch, so one instance may be refilled and launched again.
 */
public final class KernelArguments implements AutoCloseable {
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment slots;
    private final MemorySegment pointers;
    private final int capacity;
    private int count;

    public KernelArguments(int capacity) {
        this.capacity = capacity;
        this.slots = arena.allocate(8L * Math.max(capacity, 1), 8);
        this.pointers = arena.allocate(ValueLayout.ADDRESS, Math.max(capacity, 1));
        for (int i = 0; i < capacity; i++) {
            pointers.setAtIndex(ValueLayout.ADDRESS, i, slots.asSlice(8L * i, 8));
        }
    }

    /** Starts filling from the first argument again. */
    public KernelArguments reset() {
        count = 0;
        return this;
    }

    public KernelArguments pointer(DeviceBuffer buffer) {
        slot().set(ValueLayout.JAVA_LONG, 0, buffer.pointer());
        return this;
    }

    public KernelArguments i32(int value) {
        slot().set(ValueLayout.JAVA_INT, 0, value);
        return this;
    }

    public KernelArguments i64(long value) {
        slot().set(ValueLayout.JAVA_LONG, 0, value);
        return this;
    }

    public KernelArguments f32(float value) {
        slot().set(ValueLayout.JAVA_FLOAT, 0, value);
        return this;
    }

    MemorySegment pointers() {
        return pointers;
    }

    public int count() {
        return count;
    }

    private MemorySegment slot() {
        if (count == capacity) {
            throw new IllegalStateException("kernel argument block holds " + capacity + " arguments");
        }
        return slots.asSlice(8L * count++, 8);
    }

    @Override
    public void close() {
        arena.close();
    }
}
