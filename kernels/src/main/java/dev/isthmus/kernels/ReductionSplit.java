package dev.isthmus.kernels;

/**
 * How a reduction is cut into chunks for the two-pass kernels of {@code reduce.cu}: each of
 * {@code chunks} chunks covers {@code chunkLength} consecutive reduced elements (the last one
 * fewer), a first pass reduces every chunk into a partial, a second pass combines the partials
 * in chunk order. One chunk means a single pass.
 *
 * <p>A pure function of the sizes, never of the device (its multiprocessors, how many blocks
 * happen to run): with no atomics, a result is the same on every run. Column sums, whose threads
 * each add their rows in order, give the same bits on every GPU too; the block kernels' order
 * within a chunk also follows the block size the occupancy calculator picks for the device.
 */
public record ReductionSplit(long chunks, long chunkLength) {
    /** Column sums over at most this many rows run in one pass, a thread per column. */
    static final long SINGLE_PASS_ROWS = 256;
    /** With at least this many columns, a thread per column already fills the device. */
    static final long SINGLE_PASS_COLUMNS = 1 << 16;
    /** General reductions of at most this many elements per output run in one pass, a block per output. */
    static final long SINGLE_PASS_LENGTH = 1 << 14;
    /** Chunks a general reduction aims for in all (blocks of the first pass), and its fewest elements per chunk. */
    static final long TARGET_BLOCKS = 1 << 11;
    static final long MIN_CHUNK_LENGTH = 1 << 12;

    public ReductionSplit {
        if (chunks < 1 || chunkLength < 1) {
            throw new IllegalArgumentException("a split needs at least one chunk of at least one element, got "
                    + chunks + " of " + chunkLength);
        }
    }

    /**
     * Column sums of a [rows, cols] matrix: about √rows chunks of about √rows rows, so that each
     * pass walks about √rows elements per thread (43,264 rows: 208 chunks of 208 rows, instead
     * of one thread per column walking all of them).
     */
    public static ReductionSplit columns(long rows, long cols) {
        if (rows <= SINGLE_PASS_ROWS || cols >= SINGLE_PASS_COLUMNS) {
            return new ReductionSplit(1, Math.max(rows, 1));
        }
        long chunkRows = (long) Math.ceil(Math.sqrt((double) rows));
        return new ReductionSplit(ceilDiv(rows, chunkRows), chunkRows);
    }

    /**
     * A reduction of {@code reducedCount} elements into each of {@code outCount} outputs (a block
     * per chunk): outputs with many elements are cut until about {@value #TARGET_BLOCKS} blocks run
     * in all, but never below {@value #MIN_CHUNK_LENGTH} elements a chunk.
     */
    public static ReductionSplit general(long outCount, long reducedCount) {
        if (reducedCount <= SINGLE_PASS_LENGTH || outCount >= TARGET_BLOCKS) {
            return new ReductionSplit(1, Math.max(reducedCount, 1));
        }
        long wanted = Math.min(ceilDiv(TARGET_BLOCKS, outCount), reducedCount / MIN_CHUNK_LENGTH);
        long chunkLength = ceilDiv(reducedCount, wanted);
        return new ReductionSplit(ceilDiv(reducedCount, chunkLength), chunkLength);
    }

    public boolean twoPass() {
        return chunks > 1;
    }

    /** Bytes of the scratch the first pass writes its partials to (a double each), for {@code outputs} outputs. */
    public long scratchBytes(long outputs) {
        return Double.BYTES * chunks * outputs;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
