package dev.isthmus.nn.metrics;

import dev.isthmus.nn.tensor.Tensor;
import java.util.Map;

/**
 * Keras's {@code Recall}: true positives / (true positives + false negatives) over the epoch,
 * with {@link Precision}'s conventions; 0 when no label was positive.
 */
public final class Recall implements StatefulMetric {
    private final float threshold;

    /** Recall with predictions above 0.5 counted as positive. */
    public Recall() {
        this(0.5f);
    }

    /** Recall with predictions strictly above {@code threshold} counted as positive. */
    public Recall(float threshold) {
        this.threshold = threshold;
    }

    @Override
    public String name() {
        return "recall";
    }

    @Override
    public int stateSize() {
        return 2;
    }

    @Override
    public Tensor batchState(Tensor yTrue, Tensor yPred) {
        Binary b = Binary.of(yTrue, yPred, threshold);
        return Tensor.concat(java.util.List.of(b.truePositives(), b.falseNegatives()), 0);
    }

    @Override
    public Map<String, Double> results(float[] state) {
        return Map.of(name(), Binary.ratio(state[0], state[0] + state[1]));
    }
}
