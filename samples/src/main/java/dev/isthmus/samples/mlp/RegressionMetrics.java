package dev.isthmus.samples.mlp;

/** Regression quality measures on double arrays. */
public final class RegressionMetrics {

    private RegressionMetrics() {
    }

    /** Mean squared error. */
    public static double mse(double[] yTrue, double[] yPred) {
        check(yTrue, yPred);
        double s = 0;
        for (int i = 0; i < yTrue.length; i++) {
            double e = yTrue[i] - yPred[i];
            s += e * e;
        }
        return s / yTrue.length;
    }

    /** Root mean squared error. */
    public static double rmse(double[] yTrue, double[] yPred) {
        return Math.sqrt(mse(yTrue, yPred));
    }

    /** Mean absolute error. */
    public static double mae(double[] yTrue, double[] yPred) {
        check(yTrue, yPred);
        double s = 0;
        for (int i = 0; i < yTrue.length; i++) {
            s += Math.abs(yTrue[i] - yPred[i]);
        }
        return s / yTrue.length;
    }

    /**
     * Coefficient of determination, {@code 1 - SS_res / SS_tot} (as scikit-learn's {@code r2_score}):
     * 1 for perfect predictions, 0 for always predicting the mean of {@code yTrue}, negative when
     * worse. When {@code yTrue} is constant, 1 if the predictions are exact, else 0.
     */
    public static double r2(double[] yTrue, double[] yPred) {
        check(yTrue, yPred);
        double mean = 0;
        for (double v : yTrue) {
            mean += v;
        }
        mean /= yTrue.length;
        double ssRes = 0;
        double ssTot = 0;
        for (int i = 0; i < yTrue.length; i++) {
            double e = yTrue[i] - yPred[i];
            double t = yTrue[i] - mean;
            ssRes += e * e;
            ssTot += t * t;
        }
        if (ssTot == 0) {
            return ssRes == 0 ? 1.0 : 0.0;
        }
        return 1 - ssRes / ssTot;
    }

    private static void check(double[] yTrue, double[] yPred) {
        if (yTrue.length != yPred.length) {
            throw new IllegalArgumentException("yTrue has " + yTrue.length + " values but yPred has " + yPred.length);
        }
        if (yTrue.length == 0) {
            throw new IllegalArgumentException("no values to score");
        }
    }
}
