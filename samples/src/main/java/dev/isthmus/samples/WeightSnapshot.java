package dev.isthmus.samples;

import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A copy of a model's weights at one moment, to put back later (the best epoch of a run). The
 * copies belong to no scope (garbage-collected), so a snapshot outlasts the training steps and
 * scopes that follow it.
 */
public final class WeightSnapshot {
    private final Map<String, Tensor> weights;

    private WeightSnapshot(Map<String, Tensor> weights) {
        this.weights = weights;
    }

    public static WeightSnapshot of(Sequential model) {
        Map<String, Tensor> copies = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> copies.put(name, Tensor.zeros(null, p.device(), p.shape()).copyFrom(p)));
        return new WeightSnapshot(copies);
    }

    /** Writes the saved values back into the same model's parameters, in place. */
    public void restoreInto(Sequential model) {
        Map<String, Tensor> params = model.namedParameters();
        if (!params.keySet().equals(weights.keySet())) {
            throw new IllegalArgumentException("the snapshot holds " + weights.keySet() + " but the model has " + params.keySet());
        }
        params.forEach((name, p) -> p.copyFrom(weights.get(name)));
    }
}
