package dev.isthmus.kernels;

/** The {@code struct Dims} of {@code common.cuh}: up to eight 64-bit sizes or strides, passed by value. */
final class Dims {
    static final int MAX_RANK = 8;

    private Dims() {
    }

    static long[] of(int[] values) {
        check(values.length);
        long[] d = new long[MAX_RANK];
        for (int i = 0; i < values.length; i++) {
            d[i] = values[i];
        }
        return d;
    }

    static long[] of(long[] values) {
        check(values.length);
        return java.util.Arrays.copyOf(values, MAX_RANK);
    }

    private static void check(int rank) {
        if (rank > MAX_RANK) {
            throw new IllegalArgumentException("CUDA kernels take tensors of rank up to " + MAX_RANK + ", got " + rank);
        }
    }
}
