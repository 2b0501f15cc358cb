package dev.isthmus.samples.mlp;

import java.util.Objects;

/**
 * Ordinary least-squares linear regression with an intercept: the baseline the MLP sample is
 * compared against.
 *
 * <p>Solved in double precision: the features and the target are centred on their means
 * (which makes the intercept {@code mean(y) - mean(x)·b}), and the centred system is solved by
 * Householder QR, never forming {@code XᵀX}. When the centred features are rank deficient
 * (fewer rows than features plus one, a constant column, or a column that is, to about 1e-10
 * relative, a combination of the others), the fit falls back to a tiny ridge penalty on the
 * slopes (not the intercept), {@code λ = 1e-8 · mean squared column norm}, solved by QR of the
 * augmented system {@code [X; √λ I] b = [y; 0]}; {@link #ridge()} reports the λ used.
 */
public final class LeastSquares {

    /** Relative residual below which a column counts as dependent on the earlier ones. */
    private static final double RANK_TOLERANCE = 1e-10;
    /** Ridge fallback strength, relative to the mean squared column norm. */
    private static final double RIDGE_FACTOR = 1e-8;

    private final double intercept;
    private final double[] coefficients;
    private final double ridge;

    private LeastSquares(double intercept, double[] coefficients, double ridge) {
        this.intercept = intercept;
        this.coefficients = coefficients;
        this.ridge = ridge;
    }

    /**
     * Fits {@code y ≈ intercept + x·coefficients}.
     *
     * @param x n rows of d features (n ≥ 1, all rows of the same length, finite values)
     * @param y n targets
     * @throws IllegalArgumentException on empty, ragged, mismatched or non-finite input
     */
    public static LeastSquares fit(double[][] x, double[] y) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        int n = x.length;
        if (n == 0) {
            throw new IllegalArgumentException("cannot fit least squares on zero rows");
        }
        if (y.length != n) {
            throw new IllegalArgumentException("x has " + n + " rows but y has " + y.length + " values");
        }
        int d = x[0].length;
        double[] xMean = new double[d];
        double yMean = 0;
        for (int i = 0; i < n; i++) {
            if (x[i].length != d) {
                throw new IllegalArgumentException("row " + i + " has " + x[i].length + " features, expected " + d);
            }
            for (int j = 0; j < d; j++) {
                if (!Double.isFinite(x[i][j])) {
                    throw new IllegalArgumentException("x[" + i + "][" + j + "] is not finite: " + x[i][j]);
                }
                xMean[j] += x[i][j];
            }
            if (!Double.isFinite(y[i])) {
                throw new IllegalArgumentException("y[" + i + "] is not finite: " + y[i]);
            }
            yMean += y[i];
        }
        yMean /= n;
        for (int j = 0; j < d; j++) {
            xMean[j] /= n;
        }
        if (d == 0) {
            return new LeastSquares(yMean, new double[0], 0);
        }

        double[] beta = solve(x, y, xMean, yMean, 0);
        double ridge = 0;
        if (beta == null) {
            double meanSquaredNorm = 0;
            for (int j = 0; j < d; j++) {
                for (int i = 0; i < n; i++) {
                    double v = x[i][j] - xMean[j];
                    meanSquaredNorm += v * v;
                }
            }
            meanSquaredNorm /= d;
            ridge = RIDGE_FACTOR * (meanSquaredNorm > 0 ? meanSquaredNorm : 1.0);
            beta = solve(x, y, xMean, yMean, ridge);
        }
        double intercept = yMean;
        for (int j = 0; j < d; j++) {
            intercept -= xMean[j] * beta[j];
        }
        return new LeastSquares(intercept, beta, ridge);
    }

    /**
     * Solves the centred problem by Householder QR, augmented with {@code √ridge · I} rows when
     * {@code ridge > 0}. Returns {@code null} when {@code ridge == 0} and the matrix is rank deficient.
     */
    private static double[] solve(double[][] x, double[] y, double[] xMean, double yMean, double ridge) {
        int n = x.length;
        int d = xMean.length;
        int m = ridge > 0 ? n + d : n;
        // Column-major copy of the (augmented) centred design matrix, and the right-hand side.
        double[][] a = new double[d][m];
        double[] norms = new double[d];
        for (int j = 0; j < d; j++) {
            double[] col = a[j];
            double ss = 0;
            for (int i = 0; i < n; i++) {
                col[i] = x[i][j] - xMean[j];
                ss += col[i] * col[i];
            }
            if (ridge > 0) {
                col[n + j] = Math.sqrt(ridge);
                ss += ridge;
            }
            norms[j] = Math.sqrt(ss);
        }
        double[] b = new double[m];
        for (int i = 0; i < n; i++) {
            b[i] = y[i] - yMean;
        }

        double[] diag = new double[d];
        for (int k = 0; k < d; k++) {
            double[] v = a[k];
            double ss = 0;
            for (int i = k; i < m; i++) {
                ss += v[i] * v[i];
            }
            double norm = Math.sqrt(ss);
            if (k >= m || norm == 0 || (ridge == 0 && norm <= RANK_TOLERANCE * norms[k])) {
                if (ridge == 0) {
                    return null;
                }
                throw new ArithmeticException("least squares: ridge system is singular at column " + k);
            }
            // Reflect v onto alpha·e_k, alpha taking the sign that avoids cancellation.
            double alpha = v[k] > 0 ? -norm : norm;
            double vtv = 2 * norm * (norm + Math.abs(v[k])); // Σ v_i² once v_k -= alpha
            v[k] -= alpha;
            diag[k] = alpha;
            for (int j = k + 1; j < d; j++) {
                double[] c = a[j];
                double s = 0;
                for (int i = k; i < m; i++) {
                    s += v[i] * c[i];
                }
                double f = 2 * s / vtv;
                for (int i = k; i < m; i++) {
                    c[i] -= f * v[i];
                }
            }
            double s = 0;
            for (int i = k; i < m; i++) {
                s += v[i] * b[i];
            }
            double f = 2 * s / vtv;
            for (int i = k; i < m; i++) {
                b[i] -= f * v[i];
            }
        }
        // Back substitution: R b = Qᵀy, with R[k][k] = diag[k] and R[k][j] = a[j][k] for j > k.
        double[] beta = new double[d];
        for (int k = d - 1; k >= 0; k--) {
            double s = b[k];
            for (int j = k + 1; j < d; j++) {
                s -= a[j][k] * beta[j];
            }
            beta[k] = s / diag[k];
        }
        return beta;
    }

    /** The fitted intercept. */
    public double intercept() {
        return intercept;
    }

    /** The fitted slopes, one per feature (a copy). */
    public double[] coefficients() {
        return coefficients.clone();
    }

    /** Number of features. */
    public int features() {
        return coefficients.length;
    }

    /** The ridge penalty used by the rank-deficient fallback; 0 for a plain least-squares fit. */
    public double ridge() {
        return ridge;
    }

    /** The prediction for one row. */
    public double predict(double[] row) {
        if (row.length != coefficients.length) {
            throw new IllegalArgumentException("row has " + row.length + " features, the model has "
                    + coefficients.length);
        }
        double s = intercept;
        for (int j = 0; j < row.length; j++) {
            s += row[j] * coefficients[j];
        }
        return s;
    }

    /** The predictions for every row. */
    public double[] predict(double[][] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = predict(x[i]);
        }
        return out;
    }
}
