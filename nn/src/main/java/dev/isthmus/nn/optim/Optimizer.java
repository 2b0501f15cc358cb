package dev.isthmus.nn.optim;

import dev.isthmus.nn.tensor.Tensor;
import java.util.List;
import java.util.Map;

/** Updates parameters in place from their accumulated gradients. */
public interface Optimizer {
    /** One update of every parameter that requires and has a gradient. */
    void step(List<Tensor> parameters);

    /** Zeroes the gradients of {@code parameters} before the next backward pass. */
    default void zeroGrad(List<Tensor> parameters) {
        for (Tensor p : parameters) {
            p.zeroGrad();
        }
    }

    /** The rate of the next update. */
    float learningRate();

    /** Sets the rate of the updates from the next one on; refused when the rate comes from a schedule. */
    void setLearningRate(float rate);

    /** The schedule the rate comes from, or null for a fixed rate. */
    default LearningRateSchedule schedule() {
        return null;
    }

    /** How many updates this optimizer has made. */
    long iterations();

    /**
     * The per-parameter state (moments, velocities) for checkpoints, keyed "name.slot" after the
     * parameter names given; empty before the first step.
     */
    Map<String, Tensor> state(Map<String, Tensor> parameters);

    /** Restores what {@link #state} and {@link #iterations} saved, for the same parameters. */
    void restore(Map<String, Tensor> parameters, Map<String, Tensor> state, long iterations);
}
