package dev.isthmus.nn.optim;

import dev.isthmus.nn.backend.Backend;
import dev.isthmus.nn.backend.DeviceCell;
import dev.isthmus.nn.backend.StepValues;
import dev.isthmus.nn.tensor.Tensor;
import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), Keras's and PyTorch's update: first
 * {@code w -= lr·weightDecay·w}, then Adam's step on the gradient (which the decay does not
 * touch). Keras defaults: lr 0.001, weight decay 0.004, beta1 0.9, beta2 0.999, epsilon 1e-7.
 * Every parameter is decayed, biases included, as in Keras without an exclusion list.
 */
public final class AdamW extends SlotOptimizer<AdamW> {
    private final float weightDecay;
    private final float beta1;
    private final float beta2;
    private final float epsilon;

    /** AdamW with Keras's defaults: learning rate 0.001, weight decay 0.004, beta1 0.9, beta2 0.999, epsilon 1e-7. */
    public AdamW() {
        this(0.001f);
    }

    /**
     * AdamW at a fixed {@code learningRate} (changeable with {@link #setLearningRate}), Keras's other defaults.
     * @throws IllegalArgumentException if the rate is not positive, the decay negative, a beta outside [0, 1) or
     * epsilon not positive
     */
    public AdamW(float learningRate) {
        this(learningRate, 0.004f);
    }

    /**
     * AdamW at a fixed {@code learningRate} and decay {@code weightDecay} (times the rate, per update), Keras's
     * other defaults.
     * @throws IllegalArgumentException if the rate is not positive, the decay negative, a beta outside [0, 1) or
     * epsilon not positive
     */
    public AdamW(float learningRate, float weightDecay) {
        this(learningRate, weightDecay, 0.9f, 0.999f, 1e-7f);
    }

    /**
     * AdamW whose rate comes from {@code schedule} at each update (the decay follows it: {@code w -=
     * rate·weightDecay·w}),
     * Keras's other defaults.
     * @throws IllegalArgumentException if the rate is not positive, the decay negative, a beta outside [0, 1) or
     * epsilon not positive
     * @throws NullPointerException if {@code schedule} is null
     */
    public AdamW(LearningRateSchedule schedule, float weightDecay) {
        this(schedule, weightDecay, 0.9f, 0.999f, 1e-7f);
    }

    /**
     * AdamW at a fixed {@code learningRate} with every hyper-parameter given.
     * @throws IllegalArgumentException if the rate is not positive, the decay negative, a beta outside [0, 1) or
     * epsilon not positive
     */
    public AdamW(float learningRate, float weightDecay, float beta1, float beta2, float epsilon) {
        this(learningRate, null, weightDecay, beta1, beta2, epsilon);
    }

    /**
     * AdamW whose rate comes from {@code schedule}, with every other hyper-parameter given.
     * @throws IllegalArgumentException if the rate is not positive, the decay negative, a beta outside [0, 1) or
     * epsilon not positive
     * @throws NullPointerException if {@code schedule} is null
     */
    public AdamW(LearningRateSchedule schedule, float weightDecay, float beta1, float beta2, float epsilon) {
        this(Float.NaN, java.util.Objects.requireNonNull(schedule, "schedule"), weightDecay, beta1, beta2, epsilon);
    }

    private AdamW(float learningRate, LearningRateSchedule schedule, float weightDecay, float beta1, float beta2,
                  float epsilon) {
        Adam.check(learningRate, schedule, beta1, beta2, epsilon);
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("AdamW needs weight decay >= 0, got " + weightDecay);
        }
        super(learningRate, schedule, "m", "v");
        this.weightDecay = weightDecay;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    @Override
    void update(List<Tensor> params, List<Tensor> grads) {
        // the decay needs the rate as a tensor; Adam's step its bias-corrected form (a second cell
        // in a replayable step, computed after the first has advanced the count)
        Tensor rate = advanceToTensor(deviceOf(params));
        StepValues values = StepValues.current();
        DeviceCell alpha = values == null ? null
                : values.float32("adamw alpha", () -> Backend.adamAlpha(stepRate, beta1, beta2, iterations));
        if (weightDecay > 0) {
            Tensor decay = rate.mul(weightDecay);
            for (Tensor p : params) {
                p.subInPlace(p.mul(decay));
            }
        }
        adamUpdate(params, grads, stepRate, alpha, beta1, beta2, epsilon);
    }

    @Override
    public String toString() {
        return "AdamW(" + rateAndClipping() + ", weightDecay=" + weightDecay + ", beta1=" + beta1 + ", beta2=" + beta2
                + ", epsilon=" + epsilon + ")";
    }
}
