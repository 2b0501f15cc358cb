package dev.isthmus.nn.tensor;

import java.util.Locale;

/**
 * The element type of a tensor. float32 is the default and the only type that carries gradients;
 * int32 and int64 hold indices, token ids, labels and row numbers exactly at any size (float32 is
 * exact only up to 2^24). Half-precision storage (bf16, fp16) for GPU mixed precision will join
 * this list with its own byte size; nothing else in the storage layer assumes four bytes.
 */
public enum DType {
    FLOAT32(4),
    INT32(4),
    INT64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT32;
    }

    public boolean isInteger() {
        return this == INT32 || this == INT64;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
