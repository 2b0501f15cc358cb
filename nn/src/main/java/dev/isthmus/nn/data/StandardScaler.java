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

    public StandardScaler fit(Tensor x) {
        return fit(ScalerMatrix.of("StandardScaler.fit", x));
    }

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

    public Tensor fitTransform(Tensor x) {
        return fit(x).transform(x);
    }

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
