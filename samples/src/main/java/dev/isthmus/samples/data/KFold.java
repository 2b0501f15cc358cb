package dev.isthmus.samples.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded, shuffled k-fold cross-validation splits.
 *
 * <p>The row indices {@code 0..n-1} are shuffled by Fisher–Yates with
 * {@code new SplittableRandom(seed)} and cut into {@code k} consecutive test folds; the first
 * {@code n % k} folds get one row more, so fold sizes differ by at most one. Each fold's
 * training rows are all the other rows. Both index arrays of a fold are sorted ascending.
 */
public final class KFold {

    private KFold() {
    }

    /**
     * One train/test split. The arrays are copied on construction; callers must not modify the
     * arrays returned by the accessors.
     *
     * @param train the training row indices, ascending
     * @param test  the test row indices, ascending
     */
    public record Fold(int[] train, int[] test) {
        public Fold {
            train = train.clone();
            test = test.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Fold f && Arrays.equals(train, f.train) && Arrays.equals(test, f.test);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(train) + Arrays.hashCode(test);
        }

        @Override
        public String toString() {
            return "Fold[train=" + train.length + " rows, test=" + test.length + " rows]";
        }
    }

    /**
     * Splits {@code n} rows into {@code k} folds.
     *
     * @throws IllegalArgumentException unless {@code 2 <= k <= n}
     */
    public static List<Fold> split(int n, int k, long seed) {
        if (k < 2 || k > n) {
            throw new IllegalArgumentException("k-fold needs 2 <= k <= n, but k=" + k + " and n=" + n);
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        List<Fold> folds = new ArrayList<>(k);
        int base = n / k;
        int extra = n % k;
        int start = 0;
        for (int f = 0; f < k; f++) {
            int size = base + (f < extra ? 1 : 0);
            int end = start + size;
            int[] test = Arrays.copyOfRange(order, start, end);
            int[] train = new int[n - size];
            System.arraycopy(order, 0, train, 0, start);
            System.arraycopy(order, end, train, start, n - end);
            Arrays.sort(test);
            Arrays.sort(train);
            folds.add(new Fold(train, test));
            start = end;
        }
        return List.copyOf(folds);
    }

    /** The given rows of a table, in index order (rows are shared, not copied). */
    public static double[][] rows(double[][] table, int[] indices) {
        double[][] out = new double[indices.length][];
        for (int i = 0; i < indices.length; i++) {
            out[i] = table[indices[i]];
        }
        return out;
    }

    /** The given entries of a vector, in index order. */
    public static double[] rows(double[] vector, int[] indices) {
        double[] out = new double[indices.length];
        for (int i = 0; i < indices.length; i++) {
            out[i] = vector[indices[i]];
        }
        return out;
    }
}
