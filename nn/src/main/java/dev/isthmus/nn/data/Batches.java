package dev.isthmus.nn.data;

import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Shapes;
import dev.isthmus.nn.tensor.Tensor;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Mini-batches over tensors that share their first dimension (samples), e.g. features and labels.
 * Each {@link #iterator()} call is the next epoch (0, 1, 2, ...): with shuffling, its row order is a
 * permutation drawn from the seed and the epoch number alone, so runs are reproducible and
 * {@link #iterator(int)} can replay any epoch. Each step yields one tensor per input array, rows
 * gathered with {@link Tensor#indexSelect(Tensor)} into the caller's current scope.
 */
public final class Batches implements Iterable<Tensor[]> {
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final boolean dropLast;
    private final Tensor[] arrays;
    private final int rows;
    private final AtomicInteger nextEpoch = new AtomicInteger();

    private Batches(int batchSize, long seed, boolean shuffle, boolean dropLast, Tensor[] arrays, int rows) {
        this.batchSize = batchSize;
        this.seed = seed;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.arrays = arrays;
        this.rows = rows;
    }

    /**
     * Batches of {@code batchSize} rows from each of {@code arrays}, which must agree on their first
     * dimension; the last batch of an epoch is smaller unless {@link #dropLast(boolean)} is set.
     *
     * @throws IllegalArgumentException for a batch size below 1, no arrays, a scalar or no rows
     * @throws ShapeMismatchException when two arrays differ in their first dimension
     */
    public static Batches of(int batchSize, long seed, boolean shuffle, Tensor... arrays) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("Batches: batch size must be at least 1, got " + batchSize);
        }
        if (arrays == null || arrays.length == 0) {
            throw new IllegalArgumentException("Batches: no arrays given; pass at least one tensor to batch");
        }
        Tensor[] copy = arrays.clone();
        for (int i = 0; i < copy.length; i++) {
            Objects.requireNonNull(copy[i], "Batches: array " + i + " is null");
            if (copy[i].rank() == 0) {
                throw new IllegalArgumentException("Batches: array " + i + " is a scalar; batching needs a first"
                        + " (samples) dimension");
            }
            if (copy[i].size(0) != copy[0].size(0)) {
                throw ShapeMismatchException.of("Batches", copy[0].shape(), copy[i].shape(),
                        "differ in the first dimension (number of samples) of arrays 0 and " + i);
            }
        }
        int rows = copy[0].size(0);
        if (rows == 0) {
            throw new IllegalArgumentException("Batches: the arrays have no rows (shape " + Shapes.str(copy[0].shape())
                    + ")");
        }
        return new Batches(batchSize, seed, shuffle, false, copy, rows);
    }

    /** The same batches, dropping (or not) an epoch's last batch when it is smaller; epochs restart at 0. */
    public Batches dropLast(boolean dropLast) {
        return new Batches(batchSize, seed, shuffle, dropLast, arrays, rows);
    }

    /** Batches per epoch: ceil(rows / batchSize), or floor with dropLast (possibly 0). */
    public int steps() {
        return dropLast ? rows / batchSize : (int) ((rows + (long) batchSize - 1) / batchSize);
    }

    /** Rows (samples) in the data. */
    public int rows() {
        return rows;
    }

    /** The next epoch. */
    @Override
    public Iterator<Tensor[]> iterator() {
        return iterator(nextEpoch.getAndIncrement());
    }

    /** The given epoch, in the same order every time it is asked for. */
    public Iterator<Tensor[]> iterator(int epoch) {
        int[] order = order(epoch);
        int end = dropLast ? steps() * batchSize : rows;
        return new Iterator<>() {
            private int pos;

            @Override
            public boolean hasNext() {
                return pos < end;
            }

            @Override
            public Tensor[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("Batches: epoch " + epoch + " has only " + steps() + " batches");
                }
                int n = Math.min(batchSize, end - pos);
                int[] idx = Arrays.copyOfRange(order, pos, pos + n);
                pos += n;
                Tensor[] batch = new Tensor[arrays.length];
                for (int a = 0; a < arrays.length; a++) {
                    batch[a] = arrays[a].indexSelect(Tensor.of(arrays[a].device(), idx, n));
                }
                return batch;
            }
        };
    }

    /** The row order of an epoch: 0..rows-1 without shuffling, else a permutation fixed by seed and epoch. */
    public int[] order(int epoch) {
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        if (shuffle) {
            // java.util.Random's sequence is fixed by its specification, so orders survive JDK upgrades
            Random random = new Random(mix(seed + 0x9E3779B97F4A7C15L * (epoch + 1L)));
            for (int i = rows - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** SplitMix64's finaliser: neighbouring (seed, epoch) pairs must not give correlated Random seeds. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
