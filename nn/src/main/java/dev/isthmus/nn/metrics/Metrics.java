package dev.isthmus.nn.metrics;

import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Tensor;

/** Accuracy, MSE and MAE with Keras semantics, each computed on the device of the predictions. */
public final class Metrics {
    /** Class ids are compared as float32 on the device, which holds every integer below 2^24 exactly. */
    private static final int MAX_CLASSES = 1 << 24;

    private Metrics() {
    }

    /**
     * Accuracy as Keras chooses it: one output column → binary (prediction above 0.5 against a
     * label of at least 0.5); labels of the prediction's shape → categorical (argmax of both);
     * otherwise sparse (argmax against the integer label). Argmax takes the first of tied maxima.
     */
    public static final Metric ACCURACY = new Metric() {
        @Override
        public String name() {
            return "accuracy";
        }

        @Override
        public Tensor batchSum(Tensor yTrue, Tensor yPred) {
            int n = yPred.size(0);
            int c = n == 0 ? 0 : (int) (yPred.numel() / n);
            if (c == 1) {
                requireSame(yTrue.numel(), yPred.numel(), yTrue, yPred);
                Tensor half = Tensor.full(yPred.device(), 0.5f, 1); // filled on the device: no upload inside a step
                Tensor predicted = yPred.reshape(n).gt(half);
                Tensor actual = half.gt(yTrue.cast(DType.FLOAT32).reshape(n)).neg().add(1f); // label >= 0.5
                return predicted.eq(actual).sum();
            }
            if (c > MAX_CLASSES) {
                throw new IllegalArgumentException("accuracy: " + c + " classes; class ids are compared as float32,"
                        + " exact up to " + MAX_CLASSES);
            }
            Tensor predicted = yPred.reshape(n, c).argmax().cast(DType.FLOAT32);
            if (yTrue.numel() == yPred.numel() && !yTrue.dtype().isInteger()) {
                return predicted.eq(yTrue.reshape(n, c).argmax().cast(DType.FLOAT32)).sum();
            }
            requireSame(yTrue.numel(), n, yTrue, yPred);
            return predicted.eq(yTrue.reshape(n).cast(DType.FLOAT32)).sum();
        }
    };

    /**
     * Keras's {@code "mse"} metric: the mean over samples of each sample's mean squared error (labels cast to
     * float32, shaped as for {@link dev.isthmus.nn.losses.Losses#meanSquaredError()}).
     */
    public static final Metric MSE = new Metric() {
        @Override
        public String name() {
            return "mse";
        }

        @Override
        public Tensor batchSum(Tensor yTrue, Tensor yPred) {
            return perSample(yTrue, yPred, true);
        }
    };

    /** Keras's {@code "mae"} metric: the mean over samples of each sample's mean absolute error. */
    public static final Metric MAE = new Metric() {
        @Override
        public String name() {
            return "mae";
        }

        @Override
        public Tensor batchSum(Tensor yTrue, Tensor yPred) {
            return perSample(yTrue, yPred, false);
        }
    };

    /** Keras's {@code TopKCategoricalAccuracy(k)} (default 5): {@link #topK} with one-hot labels. */
    public static Metric topKCategoricalAccuracy(int k) {
        return topK("top_k_categorical_accuracy", k, false);
    }

    /** Keras's {@code SparseTopKCategoricalAccuracy(k)} (default 5): {@link #topK} with integer labels. */
    public static Metric sparseTopKCategoricalAccuracy(int k) {
        return topK("sparse_top_k_categorical_accuracy", k, true);
    }

    /**
     * The fraction of samples whose true class is among the k highest predictions [n, classes], as
     * TensorFlow's {@code in_top_k}: the true class is in when fewer than k classes score strictly
     * higher, so classes tied at the boundary are all in. A mean over samples, so it accumulates
     * exactly over an epoch like accuracy.
     */
    private static Metric topK(String name, int k, boolean sparse) {
        if (k < 1) {
            throw new IllegalArgumentException(name + ": k must be at least 1, got " + k);
        }
        return new Metric() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Tensor batchSum(Tensor yTrue, Tensor yPred) {
                if (yPred.rank() != 2) {
                    throw new ShapeMismatchException(name + ": predictions must be [n, classes], got "
                            + dev.isthmus.nn.tensor.Shapes.str(yPred.shape()));
                }
                int n = yPred.size(0);
                Tensor ids;
                if (sparse) {
                    requireSame(yTrue.numel(), n, yTrue, yPred);
                    ids = yTrue.reshape(n).cast(DType.INT32);
                } else {
                    requireSame(yTrue.numel(), yPred.numel(), yTrue, yPred);
                    ids = yTrue.cast(DType.FLOAT32).reshape(yPred.shape()).argmax();
                }
                Tensor truth = yPred.pick(ids).reshape(n, 1);
                Tensor higher = yPred.gt(truth).sum(1);
                return Tensor.full(yPred.device(), k, 1).gt(higher).sum();
            }
        };
    }

    /** Keras averages over the last axis per sample, then over samples: the batch's sum of those means. */
    private static Tensor perSample(Tensor yTrue, Tensor yPred, boolean squared) {
        requireSame(yTrue.numel(), yPred.numel(), yTrue, yPred);
        Tensor d = yPred.sub(yTrue.cast(DType.FLOAT32).reshape(yPred.shape()));
        Tensor per = squared ? d.square() : d.abs();
        long n = yPred.size(0);
        return per.sum().mul(yPred.numel() == 0 ? 0f : (float) ((double) n / yPred.numel()));
    }

    private static void requireSame(long a, long b, Tensor yTrue, Tensor yPred) {
        if (a != b) {
            throw ShapeMismatchException.of("metric", yTrue.shape(), yPred.shape(), "do not fit: labels vs predictions");
        }
    }
}
