package dev.isthmus.nn.metrics;

import dev.isthmus.nn.tensor.Tensor;

/**
 * A quantity reported during fit/evaluate, averaged over samples. Each batch gives a sum and a
 * count; the epoch's value is their ratio.
 */
public interface Metric {
    String name();

    /** {sum of per-sample values, number of samples} for one batch. */
    double[] batchTotals(Tensor yTrue, Tensor yPred);
}
