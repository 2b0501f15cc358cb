package dev.isthmus.nn.metrics;

import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Tensor;

/** Accuracy, MSE and MAE with Keras semantics. */
public final class Metrics {
    private Metrics() {
    }

    /**
     * Accuracy as Keras chooses it: one output column → binary at threshold 0.5; labels of the
     * prediction's shape → categorical (argmax of both); otherwise sparse (argmax vs label).
     */
    public static final Metric ACCURACY = new Metric() {
        @Override
        public String name() {
            return "accuracy";
        }

        @Override
        public double[] batchTotals(Tensor yTrue, Tensor yPred) {
            float[] p = yPred.toArray();
            double[] t = labelValues(yTrue);
            int n = yPred.size(0);
            int c = n == 0 ? 0 : p.length / n;
            double correct = 0;
            if (c == 1) {
                requireSame(t.length, p.length, yTrue, yPred);
                for (int i = 0; i < n; i++) {
                    correct += (p[i] > 0.5f ? 1f : 0f) == Math.round(t[i]) ? 1 : 0;
                }
            } else if (t.length == p.length) {
                for (int i = 0; i < n; i++) {
                    correct += argmax(p, i * c, c) == argmax(t, i * c, c) ? 1 : 0;
                }
            } else {
                requireSame(t.length, n, yTrue, yPred);
                for (int i = 0; i < n; i++) {
                    correct += argmax(p, i * c, c) == Math.round(t[i]) ? 1 : 0;
                }
            }
            return new double[] {correct, n};
        }
    };

    public static final Metric MSE = new Metric() {
        @Override
        public String name() {
            return "mse";
        }

        @Override
        public double[] batchTotals(Tensor yTrue, Tensor yPred) {
            return perSample(yTrue, yPred, true);
        }
    };

    public static final Metric MAE = new Metric() {
        @Override
        public String name() {
            return "mae";
        }

        @Override
        public double[] batchTotals(Tensor yTrue, Tensor yPred) {
            return perSample(yTrue, yPred, false);
        }
    };

    private static double[] perSample(Tensor yTrue, Tensor yPred, boolean squared) {
        float[] p = yPred.toArray();
        double[] t = labelValues(yTrue);
        requireSame(t.length, p.length, yTrue, yPred);
        int n = yPred.size(0);
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            double d = p[i] - t[i];
            sum += squared ? d * d : Math.abs(d);
        }
        // Keras averages over the last axis per sample, then over samples.
        return new double[] {n == 0 ? 0 : sum * n / p.length, n};
    }

    /** Labels of any element type as doubles, which hold every int32 and float32 exactly. */
    private static double[] labelValues(Tensor labels) {
        if (labels.dtype().isInteger()) {
            return java.util.Arrays.stream(labels.toLongArray()).asDoubleStream().toArray();
        }
        float[] f = labels.toArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static void requireSame(int a, int b, Tensor yTrue, Tensor yPred) {
        if (a != b) {
            throw ShapeMismatchException.of("metric", yTrue.shape(), yPred.shape(), "do not fit: labels vs predictions");
        }
    }

    private static int argmax(float[] v, int from, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (v[from + j] > v[from + best]) {
                best = j;
            }
        }
        return best;
    }

    private static int argmax(double[] v, int from, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (v[from + j] > v[from + best]) {
                best = j;
            }
        }
        return best;
    }
}
