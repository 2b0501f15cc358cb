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
