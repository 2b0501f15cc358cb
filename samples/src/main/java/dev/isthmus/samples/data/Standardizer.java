package dev.isthmus.samples.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * Per-column standardisation of a table of doubles: {@code (v - mean) / std}, with the mean and
 * the population standard deviation (divisor {@code n}) fitted on training rows only. A column
 * that is constant in the training rows gets std 1, so it maps to 0 rather than to NaN.
 */
public final class Standardizer {

    private final double[] mean;
    private final double[] std;

    private Standardizer(double[] mean, double[] std) {
        this.mean = mean;
        this.std = std;
    }

    /** Fits on all rows of {@code x}. */
    public static Standardizer fit(double[][] x) {
        Objects.requireNonNull(x, "x");
        int[] all = new int[x.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return fit(x, all);
    }

    /**
     * Fits on the given rows of {@code x} (such as a fold's training rows).
     *
     * @throws IllegalArgumentException when there are no rows, or rows differ in length
     */
    public static Standardizer fit(double[][] x, int[] rows) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(rows, "rows");
        if (rows.length == 0) {
            throw new IllegalArgumentException("cannot fit a standardizer on zero rows");
        }
        int d = x[rows[0]].length;
        double[] mean = new double[d];
        double[] min = new double[d];
        double[] max = new double[d];
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int r : rows) {
            double[] row = x[r];
            if (row.length != d) {
                throw new IllegalArgumentException("row " + r + " has " + row.length + " columns, expected " + d);
            }
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
                min[j] = Math.min(min[j], row[j]);
                max[j] = Math.max(max[j], row[j]);
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= rows.length;
        }
        double[] ss = new double[d];
        for (int r : rows) {
            double[] row = x[r];
            for (int j = 0; j < d; j++) {
                double dv = row[j] - mean[j];
                ss[j] += dv * dv;
            }
        }
        double[] std = new double[d];
        for (int j = 0; j < d; j++) {
            if (min[j] == max[j]) {
                // Constant column: centre it exactly and leave the scale alone.
                mean[j] = min[j];
                std[j] = 1.0;
            } else {
                double s = Math.sqrt(ss[j] / rows.length);
                std[j] = s > 0 && Double.isFinite(s) ? s : 1.0;
            }
        }
        return new Standardizer(mean, std);
    }

    /** Number of columns. */
    public int columns() {
        return mean.length;
    }

    /** The fitted column means (a copy). */
    public double[] mean() {
        return mean.clone();
    }

    /** The fitted column standard deviations, 1 for constant columns (a copy). */
    public double[] std() {
        return std.clone();
    }

    /** A standardised copy of one row. */
    public double[] transform(double[] row) {
        check(row);
        double[] out = new double[row.length];
        for (int j = 0; j < row.length; j++) {
            out[j] = (row[j] - mean[j]) / std[j];
        }
        return out;
    }

    /** A standardised copy of every row. */
    public double[][] transform(double[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = transform(x[i]);
        }
        return out;
    }

    /** Undoes {@link #transform(double[])} on a copy of one row. */
    public double[] inverseTransform(double[] row) {
        check(row);
        double[] out = new double[row.length];
        for (int j = 0; j < row.length; j++) {
            out[j] = row[j] * std[j] + mean[j];
        }
        return out;
    }

    private void check(double[] row) {
        if (row.length != mean.length) {
            throw new IllegalArgumentException("row has " + row.length + " columns, the standardizer was fitted on "
                    + mean.length);
        }
    }
}
