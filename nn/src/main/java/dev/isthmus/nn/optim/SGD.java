package dev.isthmus.nn.optim;

import dev.isthmus.nn.tensor.Tensor;
import java.util.List;

/**
 * Stochastic gradient descent with optional (Nesterov) momentum, Keras's formulation:
 * {@code v = momentum·v - lr·g}; {@code w += v}, or with Nesterov {@code w += momentum·v - lr·g}.
 * Keras's default rate is 0.01.
 */
public final class SGD extends SlotOptimizer<SGD> {
    private final float momentum;
    private final boolean nesterov;

    /** Plain SGD at Keras's default rate 0.01, no momentum. */
    public SGD() {
        this(0.01f);
    }

    /**
     * Plain SGD (no momentum) at a fixed {@code learningRate}, changeable with {@link #setLearningRate}.
     * @throws IllegalArgumentException if the rate is not positive
     */
    public SGD(float learningRate) {
        this(learningRate, 0f, false);
    }

    /**
     * Plain SGD (no momentum) whose rate comes from {@code schedule} at each update.
     * @throws NullPointerException if {@code schedule} is null
     */
    public SGD(LearningRateSchedule schedule) {
        this(schedule, 0f, false);
    }

    /**
     * SGD at a fixed {@code learningRate} with {@code momentum} (0: none), Nesterov's look-ahead when {@code nesterov}.
     * @throws IllegalArgumentException if the rate is not positive or momentum is outside [0, 1)
     */
    public SGD(float learningRate, float momentum, boolean nesterov) {
        this(learningRate, null, momentum, nesterov);
    }

    /**
     * SGD whose rate comes from {@code schedule}, with {@code momentum} and, when {@code nesterov}, Nesterov's
     * look-ahead.
     * @throws IllegalArgumentException if momentum is outside [0, 1)
     * @throws NullPointerException if {@code schedule} is null
     */
    public SGD(LearningRateSchedule schedule, float momentum, boolean nesterov) {
        this(Float.NaN, java.util.Objects.requireNonNull(schedule, "schedule"), momentum, nesterov);
    }

    private SGD(float learningRate, LearningRateSchedule schedule, float momentum, boolean nesterov) {
        if (!(schedule != null || learningRate > 0) || !(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("SGD needs lr > 0 and 0 <= momentum < 1; got lr=" + learningRate
                    + " momentum=" + momentum);
        }
        super(learningRate, schedule, "velocity");
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    @Override
    void update(List<Tensor> params, List<Tensor> grads) {
        Tensor rate = advanceToTensor(deviceOf(params));
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            Tensor step = grads.get(i).mul(rate);
            if (momentum == 0f) {
                p.subInPlace(step);
                continue;
            }
            Tensor v = slots(p)[0];
            v.mulInPlace(momentum).subInPlace(step);
            if (nesterov) {
                p.addInPlace(v.mul(momentum)).subInPlace(step);
            } else {
                p.addInPlace(v);
            }
        }
    }

    @Override
    public String toString() {
        return "SGD(" + rateAndClipping() + ", momentum=" + momentum + ", nesterov=" + nesterov + ")";
    }
}
