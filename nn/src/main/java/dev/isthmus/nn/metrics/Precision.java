package dev.isthmus.nn.metrics;

import dev.isthmus.nn.tensor.Tensor;
import java.util.Map;

/**
 * Keras's {@code Precision}: true positives / (true positives + false positives) over the epoch,
 * a prediction above the threshold (default 0.5) counting as positive and a nonzero label as
 * positive; every element counts (multi-label outputs are flattened); 0 when nothing was predicted
 * positive.
 */
public final class Precision implements StatefulMetric {
    private final float threshold;

    /** Precision with predictions above 0.5 counted as positive. */
    public Precision() {
        this(0.5f);
    }

    /** Precision with predictions strictly above {@code threshold} counted as positive. */
    public Precision(float threshold) {
        this.threshold = threshold;
    }

    @Override
    public String name() {
        return "precision";
    }

    @Override
    public int stateSize() {
        return 2;
    }

    @Override
    public Tensor batchState(Tensor yTrue, Tensor yPred) {
        Binary b = Binary.of(yTrue, yPred, threshold);
        return Tensor.concat(java.util.List.of(b.truePositives(), b.falsePositives()), 0);
    }

    @Override
    public Map<String, Double> results(float[] state) {
        return Map.of(name(), Binary.ratio(state[0], state[0] + state[1]));
    }
}
