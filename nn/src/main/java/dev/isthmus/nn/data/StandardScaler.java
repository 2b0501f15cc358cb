package dev.isthmus.nn.data;

import dev.isthmus.nn.tensor.Tensor;

/**
 * Standardises each feature (column) of [samples, features] data to mean 0 and unit variance, as
 * scikit-learn's {@code StandardScaler}: the population standard deviation (divide by n), and a constant
 * feature is given a scale of 1 so that it maps to 0 instead of dividing by zero. Statistics are computed
 * in double precision on the host; NaN values propagate.
 */
public final class StandardScaler {
    private double[] mean;
    private double[] scale;
    private int[] fittedShape;

    /** An unfitted scaler; call {@link #fit} (or {@link #fitTransform}) before transforming. */
    public StandardScaler() {
    }

    /**
     * Learns each column's mean and (population) standard deviation from {@code x} [samples, features] (read to
     * the host once), replacing what an earlier fit learnt.
     * @throws dev.isthmus.nn.tensor.ShapeMismatchException if {@code x} is not 2-D [samples, features]
     * @throws IllegalArgumentException if {@code x} has no samples
     * @return this scaler
     */
    public StandardScaler fit(Tensor x) {
        return fit(ScalerMatrix.of("StandardScaler.fit", x));
    }

    /**
     * Learns each column's mean and (population) standard deviation from the rows of {@code x}.
     * @throws dev.isthmus.nn.tensor.ShapeMismatchException if {@code x} is not 2-D or its rows differ in length
     * @throws IllegalArgumentException if {@code x} has no samples
     * @return this scaler
     */
    public StandardScaler fit(float[][] x) {
        return fit(ScalerMatrix.of("StandardScaler.fit", x));
    }

    private StandardScaler fit(ScalerMatrix f) {
        f.requireSamples("StandardScaler.fit");
        double[] m = new double[f.cols()];
        double[] s = new double[f.cols()];
        for (int j = 0; j < f.cols(); j++) {
            double sum = 0;
            boolean constant = true;
            for (int i = 0; i < f.rows(); i++) {
                sum += f.column(i, j);
                constant &= f.column(i, j) == f.column(0, j);
            }
            m[j] = sum / f.rows();
            // two passes: the one-pass formula loses every digit when the mean is large against the spread
            double sq = 0;
            for (int i = 0; i < f.rows(); i++) {
                double d = f.column(i, j) - m[j];
                sq += d * d;
            }
            // a constant column is detected exactly, since the double mean of equal floats need not equal them
            s[j] = constant ? 1.0 : Math.sqrt(sq / f.rows());
        }
        mean = m;
        scale = s;
        fittedShape = f.shape();
        return this;
    }

    /** (x - mean) / scale, column by column. */
    public Tensor transform(Tensor x) {
        ScalerMatrix.checkFitted("StandardScaler.transform", fittedShape);
        ScalerMatrix f = ScalerMatrix.of("StandardScaler.transform", x);
        f.checkCols("StandardScaler.transform", fittedShape);
        return f.map(x, (v, j) -> (v - mean[j]) / scale[j]);
    }

    /** x * scale + mean: the original units back. */
    public Tensor inverseTransform(Tensor x) {
        ScalerMatrix.checkFitted("StandardScaler.inverseTransform", fittedShape);
        ScalerMatrix f = ScalerMatrix.of("StandardScaler.inverseTransform", x);
        f.checkCols("StandardScaler.inverseTransform", fittedShape);
        return f.map(x, (v, j) -> v * scale[j] + mean[j]);
    }

    /** {@link #fit(Tensor)} on {@code x}, then {@link #transform} of it. */
    public Tensor fitTransform(Tensor x) {
        return fit(x).transform(x);
    }

    /** Whether {@link #fit} has run, so that {@code transform} and the statistics may be used. */
    public boolean isFitted() {
        return fittedShape != null;
    }

    /** The per-feature means (a copy). */
    public double[] mean() {
        ScalerMatrix.checkFitted("StandardScaler.mean", fittedShape);
        return mean.clone();
    }

    /** The per-feature divisors: population standard deviations, 1 for constant features (a copy). */
    public double[] scale() {
        ScalerMatrix.checkFitted("StandardScaler.scale", fittedShape);
        return scale.clone();
    }
}
