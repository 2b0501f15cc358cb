package dev.isthmus.nn.tensor;

/**
 * What a device did since its statistics were last reset ({@link Device#resetStats()}): the same
 * counts on every backend, so the execution contract (no host round trip inside a training step)
 * is tested on the CPU as on a GPU.
 *
 * @param hostReads        copies of values from the device to the host ({@code toArray}, {@code item}, ...)
 * @param synchronizations times the host waited for the device (every host read, and each
 *                         explicit synchronize)
 * @param allocations      storage blocks allocated
 * @param bytesAllocated   bytes of those blocks
 * @param bytesInUse       bytes held by live storage now (storage the garbage collector has not
 *                         yet freed counts until it does)
 * @param peakBytesInUse   the most bytes in use at any moment since the reset
 * @param launches         submissions of work to a GPU: one per op enqueued (a kernel, a copy, a
 *                         library call) and one per replay of a captured step; 0 on the CPU, which
 *                         runs each op as it is called
 */
public record DeviceStats(long hostReads, long synchronizations, long allocations, long bytesAllocated,
                          long bytesInUse, long peakBytesInUse, long launches) {
}
