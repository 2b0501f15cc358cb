package dev.isthmus.nn.tensor;

import java.util.Locale;

/**
 * The element type of a tensor. float32 is the default and the only type that carries gradients;
 * int32 and int64 hold indices, token ids, labels and row numbers exactly at any size (float32 is
 * exact only up to 2^24). Half-precision storage (bf16, fp16) for GPU mixed precision will join
 * this list with its own byte size; nothing else in the storage layer assumes four bytes.
 */
public enum DType {
    /** IEEE 754 single precision, 4 bytes: the type of values, activations, weights and gradients. */
    FLOAT32(4),
    /** Signed 32-bit integers, 4 bytes: indices, labels and token ids. */
    INT32(4),
    /** Signed 64-bit integers, 8 bytes: indices beyond 2^31 and values read from int64 files. */
    INT64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether elements are floating point (float32): the only type arithmetic and gradients take. */
    public boolean isFloatingPoint() {
        return this == FLOAT32;
    }

    /** Whether elements are integers (int32 or int64): the types indices and labels use. */
    public boolean isInteger() {
        return this == INT32 || this == INT64;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
