package dev.isthmus.nn.backend;

import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The values a training step takes from the host that change from step to step (Adam's bias
 * correction, a dropout mask's seed, the row of the epoch's totals), kept in device cells at fixed
 * addresses so a step captured once (a CUDA graph) can be replayed: kernels read them from the
 * cells when they run.
 *
 * <p>Each value is asked for by the code that uses it, in the step's order, with the function
 * that gives its next value. The first step registers the values (each computed and uploaded at
 * once); before each later step, {@link #beginStep()} computes every registered value, in the
 * order registered, and uploads all cells in one copy, enqueued before the step's work, and the
 * code then finds each value in the cell it registered. The host computes each value exactly once
 * per step whether the step runs eagerly or is replayed, so both give the same numbers.
 *
 * <p>While a step runs with these values, {@link #current()} returns them on its thread; code that
 * finds none takes its values by argument, as before.
 */
public final class StepValues {
    private static final ThreadLocal<StepValues> CURRENT = new ThreadLocal<>();

    private record Entry(String what, LongSupplier next) {
    }

    private final Tensor cells;
    private final long[] host;
    private final List<Entry> entries = new ArrayList<>();
    private int cursor;

    /** Room for {@code capacity} values on {@code device}, owned by {@code owner}. */
    public StepValues(Device device, int capacity, Scope owner) {
        if (capacity < 1) {
            throw new IllegalArgumentException("step values need room for at least one value, got " + capacity);
        }
        this.cells = Tensor.empty(owner, device, DType.INT64, capacity);
        this.host = new long[capacity];
    }

    /** The values of the step running on this thread, or null. */
    public static StepValues current() {
        return CURRENT.get();
    }

    /** Makes these the current thread's step values until the returned handle closes. */
    public Active enter() {
        StepValues previous = CURRENT.get();
        CURRENT.set(this);
        return () -> {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        };
    }

    /** Restores the step values that were current before {@link #enter()}. */
    public interface Active extends AutoCloseable {
        @Override
        void close();
    }

    /** Computes every registered value for the next step and uploads them (one copy). */
    public void beginStep() {
        cursor = 0;
        for (int i = 0; i < entries.size(); i++) {
            host[i] = entries.get(i).next().getAsLong();
        }
        if (!entries.isEmpty()) {
            upload();
        }
    }

    /** How many values the steps so far have registered. */
    public int registered() {
        return entries.size();
    }

    /** The int64 cell of the next value in step order; {@code next} gives the value for each step. */
    public DeviceCell int64(String what, LongSupplier next) {
        return cell(what, next);
    }

    /** A float32 value (stored in the cell's first four bytes). */
    public DeviceCell float32(String what, DoubleSupplier next) {
        return cell(what, () -> Float.floatToRawIntBits((float) next.getAsDouble()) & 0xFFFF_FFFFL);
    }

    /** An int32 value (stored in the cell's first four bytes). */
    public DeviceCell int32(String what, IntSupplier next) {
        return cell(what, () -> next.getAsInt() & 0xFFFF_FFFFL);
    }

    private DeviceCell cell(String what, LongSupplier next) {
        int i = cursor;
        if (i < entries.size()) {
            if (!entries.get(i).what().equals(what)) {
                throw new IllegalStateException("the step asked for '" + what + "' where its earlier steps asked for '"
                        + entries.get(i).what() + "' (value " + i + "): a step's values must come in the same order"
                        + " each step");
            }
            cursor++;
            return new DeviceCell(cells, i);
        }
        StepCapture.refuse("a new step value ('" + what + "', not asked for by the warm-up step)");
        if (i == host.length) {
            throw new IllegalStateException("a step asked for more than " + host.length + " step values ('" + what
                    + "')");
        }
        entries.add(new Entry(what, next));
        host[i] = next.getAsLong();
        cursor++;
        upload();
        return new DeviceCell(cells, i);
    }

    private void upload() {
        cells.backend().copyFromHost(MemorySegment.ofArray(host), cells);
    }
}
