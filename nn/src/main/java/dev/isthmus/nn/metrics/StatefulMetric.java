package dev.isthmus.nn.metrics;

import dev.isthmus.nn.tensor.Tensor;
import java.util.Map;

/**
 * A metric that is not a mean of per-sample values (precision, recall, AUC, a confusion matrix):
 * each batch gives a vector of counts, which fit and evaluate add into one state on the device
 * over the epoch (no host read per batch); the epoch's values come from the summed state, so they
 * are those of the whole epoch's samples, not an average of per-batch values. Counts are float32
 * on the device: exact up to 2^24 per epoch.
 */
public interface StatefulMetric extends Metric {
    /** The length of the state vector. */
    int stateSize();

    /** The batch's contribution to the state: float32 [stateSize()] on yPred's device. */
    Tensor batchState(Tensor yTrue, Tensor yPred);

    /** The values this metric logs (its name, or several names) from the epoch's summed state. */
    Map<String, Double> results(float[] state);

    /** Stateful metrics have no per-sample sum; the totals use {@link #batchState}. */
    @Override
    default Tensor batchSum(Tensor yTrue, Tensor yPred) {
        throw new UnsupportedOperationException(name() + " accumulates a state: use batchState");
    }
}
