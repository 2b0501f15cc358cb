package dev.isthmus.nn.data;

import dev.isthmus.nn.tensor.Tensor;

/**
 * Rescales each feature (column) of [samples, features] data linearly so that the training minimum maps
 * to {@code min} and the training maximum to {@code max} ([0, 1] by default), as scikit-learn's
 * {@code MinMaxScaler}: values outside the training range extrapolate (no clipping), and a constant
 * feature maps to {@code min}. Computed in double precision on the host; NaN values propagate.
 */
public final class MinMaxScaler {
    private final double min;
    private final double max;
    private double[] dataMin;
    private double[] dataMax;
    private double[] scale;
    private double[] offset;
    private int[] fittedShape;

    /** Scales each feature to [0, 1]. */
    public MinMaxScaler() {
        this(0, 1);
    }

    /**
     * Scales each feature to [{@code min}, {@code max}].
     * @throws IllegalArgumentException unless {@code min < max}
     */
    public MinMaxScaler(double min, double max) {
        if (!(min < max)) {
            throw new IllegalArgumentException("MinMaxScaler: the range minimum must be below its maximum, got ["
                    + min + ", " + max + "]");
        }
        this.min = min;
        this.max = max;
    }

    /**
     * Learns each column's minimum and maximum from {@code x} [samples, features] (read to the host once),
     * replacing what an earlier fit learnt.
     * @throws dev.isthmus.nn.tensor.ShapeMismatchException if {@code x} is not 2-D [samples, features]
     * @throws IllegalArgumentException if {@code x} has no samples
     * @return this scaler
     */
    public MinMaxScaler fit(Tensor x) {
        return fit(ScalerMatrix.of("MinMaxScaler.fit", x));
    }

    /**
     * Learns each column's minimum and maximum from the rows of {@code x}, replacing what an earlier fit learnt.
     * @throws dev.isthmus.nn.tensor.ShapeMismatchException if {@code x} is not 2-D or its rows differ in length
     * @throws IllegalArgumentException if {@code x} has no samples
     * @return this scaler
     */
    public MinMaxScaler fit(float[][] x) {
        return fit(ScalerMatrix.of("MinMaxScaler.fit", x));
    }

    private MinMaxScaler fit(ScalerMatrix f) {
        f.requireSamples("MinMaxScaler.fit");
        int c = f.cols();
        double[] lo = new double[c];
        double[] hi = new double[c];
        double[] sc = new double[c];
        double[] off = new double[c];
        for (int j = 0; j < c; j++) {
            lo[j] = Double.POSITIVE_INFINITY;
            hi[j] = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < f.rows(); i++) {
                lo[j] = Math.min(lo[j], f.column(i, j));
                hi[j] = Math.max(hi[j], f.column(i, j));
            }
            double range = hi[j] - lo[j];
            // scikit-learn treats a zero range as 1, which sends the constant value to the range minimum
            sc[j] = (max - min) / (range == 0 ? 1 : range);
            off[j] = min - lo[j] * sc[j];
        }
        dataMin = lo;
        dataMax = hi;
        scale = sc;
        offset = off;
        fittedShape = f.shape();
        return this;
    }

    /** x * scale + offset, column by column, where scale = (max - min) / (dataMax - dataMin). */
    public Tensor transform(Tensor x) {
        ScalerMatrix.checkFitted("MinMaxScaler.transform", fittedShape);
        ScalerMatrix f = ScalerMatrix.of("MinMaxScaler.transform", x);
        f.checkCols("MinMaxScaler.transform", fittedShape);
        return f.map(x, (v, j) -> v * scale[j] + offset[j]);
    }

    /**
     * The inverse of {@link #transform}: {@code (x - offset) / scale}, column by column, back to the original units.
     * A new float32 tensor of {@code x}'s shape on {@code x}'s device, owned by the current scope.
     * @throws IllegalStateException before {@link #fit}
     * @throws dev.isthmus.nn.tensor.ShapeMismatchException if {@code x} is not 2-D or has another number of columns
     * than the fit
     */
    public Tensor inverseTransform(Tensor x) {
        ScalerMatrix.checkFitted("MinMaxScaler.inverseTransform", fittedShape);
        ScalerMatrix f = ScalerMatrix.of("MinMaxScaler.inverseTransform", x);
        f.checkCols("MinMaxScaler.inverseTransform", fittedShape);
        return f.map(x, (v, j) -> (v - offset[j]) / scale[j]);
    }

    /** {@link #fit(Tensor)} on {@code x}, then {@link #transform} of it. */
    public Tensor fitTransform(Tensor x) {
        return fit(x).transform(x);
    }

    /** Whether {@link #fit} has run, so that {@code transform} and the statistics may be used. */
    public boolean isFitted() {
        return fittedShape != null;
    }

    /** The per-feature minimum seen in fit (a copy). */
    public double[] dataMin() {
        ScalerMatrix.checkFitted("MinMaxScaler.dataMin", fittedShape);
        return dataMin.clone();
    }

    /** The per-feature maximum seen in fit (a copy). */
    public double[] dataMax() {
        ScalerMatrix.checkFitted("MinMaxScaler.dataMax", fittedShape);
        return dataMax.clone();
    }
}
