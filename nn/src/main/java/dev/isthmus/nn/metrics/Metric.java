package dev.isthmus.nn.metrics;

import dev.isthmus.nn.tensor.Tensor;

/**
 * A quantity reported during fit/evaluate, averaged over samples. Each batch gives a sum, computed
 * on the predictions' device and left there (fit and evaluate add the sums up on the device and
 * read them at progress redraws and epoch ends, never once per step), and a sample count; the
 * epoch's value is their ratio.
 */
public interface Metric {
    /**
     * The key the epoch value is logged under ("accuracy", "precision", ...); with validation data also as
     * "val_" + name.
     */
    String name();

    /** The sum of the per-sample values over the batch: a float32 scalar on yPred's device. */
    Tensor batchSum(Tensor yTrue, Tensor yPred);

    /** The samples the batch counts for: its first dimension. */
    default long batchCount(Tensor yTrue, Tensor yPred) {
        return yPred.size(0);
    }
}
