package dev.isthmus.nn.data;

import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Shapes;
import dev.isthmus.nn.tensor.Tensor;

/** A [samples, features] matrix copied to the host, shared by the scalers. */
record ScalerMatrix(float[] values, int rows, int cols) {

    /** A per-column affine map. */
    interface ColumnOp {
        double apply(double value, int column);
    }

    static ScalerMatrix of(String op, Tensor x) {
        int[] s = x.shape();
        if (s.length != 2) {
            throw new ShapeMismatchException(op + ": expected a 2-D tensor [samples, features], got shape "
                    + Shapes.str(s));
        }
        return new ScalerMatrix(x.toArray(), s[0], s[1]);
    }

    static ScalerMatrix of(String op, float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] flat = new float[Math.multiplyExact(rows.length, cols)];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new ShapeMismatchException(op + ": row " + i + " has " + rows[i].length
                        + " values but row 0 has " + cols);
            }
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return new ScalerMatrix(flat, rows.length, cols);
    }

    int[] shape() {
        return new int[] {rows, cols};
    }

    void requireSamples(String op) {
        if (rows == 0 || cols == 0) {
            throw new IllegalArgumentException(op + ": cannot fit on an empty matrix of shape " + Shapes.str(shape()));
        }
    }

    float column(int i, int j) {
        return values[i * cols + j];
    }

    /** A new tensor on {@code like}'s device whose element (i, j) is f(x[i, j], j). */
    Tensor map(Tensor like, ColumnOp f) {
        float[] out = new float[values.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[i * cols + j] = (float) f.apply(values[i * cols + j], j);
            }
        }
        return Tensor.of(like.device(), out, rows, cols);
    }

    static void checkFitted(String op, int[] fitted) {
        if (fitted == null) {
            throw new IllegalStateException(op + " before fit: call fit(...) or fitTransform(...) first");
        }
    }

    void checkCols(String op, int[] fitted) {
        if (cols != fitted[1]) {
            throw ShapeMismatchException.of(op, shape(), fitted, "differ in the number of features (last axis): the"
                    + " scaler was fitted on " + fitted[1] + " features");
        }
    }
}
