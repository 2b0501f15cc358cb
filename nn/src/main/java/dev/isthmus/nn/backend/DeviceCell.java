package dev.isthmus.nn.backend;

import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.Tensor;

/**
 * One 8-byte cell of a device-resident int64 tensor whose value the host writes before each
 * training step ({@link StepValues}); a kernel reads it when it runs, not when it is enqueued, so
 * a captured CUDA graph replays with the value of the step it replays. An int64 fills the cell; a
 * float32 or int32 sits in its first four bytes (little-endian, on the host and the GPU alike).
 */
public record DeviceCell(Tensor cells, int index) {
    /**
     * Checks the cell.
     * @throws IllegalArgumentException if {@code cells} is not an int64 vector
     * @throws IndexOutOfBoundsException if {@code index} is outside it
     */
    public DeviceCell {
        if (cells.dtype() != DType.INT64 || cells.rank() != 1) {
            throw new IllegalArgumentException("device cells are an int64 vector, got " + cells.dtype() + " of rank "
                    + cells.rank());
        }
        if (index < 0 || index >= cells.numel()) {
            throw new IndexOutOfBoundsException("cell " + index + " of " + cells.numel());
        }
    }

    /** The cell's offset in bytes from the start of {@link #cells()}. */
    public long byteOffset() {
        return (long) index * Long.BYTES;
    }
}
