package dev.isthmus.nn.optim;

import dev.isthmus.nn.backend.Backend;
import dev.isthmus.nn.backend.DeviceCell;
import dev.isthmus.nn.backend.StepValues;
import dev.isthmus.nn.tensor.Tensor;
import java.util.List;

/**
 * Adam with Keras defaults (lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7) and Keras's update:
 * {@code w -= lr·sqrt(1-β2ᵗ)/(1-β1ᵗ) · m / (sqrt(v) + ε)}. Moment buffers live with the
 * parameters they belong to (same owner scope).
 */
public final class Adam extends SlotOptimizer<Adam> {
    private final float beta1;
    private final float beta2;
    private final float epsilon;

    /** Adam with Keras's defaults: learning rate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7. */
    public Adam() {
        this(0.001f);
    }

    /**
     * Adam at a fixed {@code learningRate} (changeable with {@link #setLearningRate}), Keras's other defaults.
     * @throws IllegalArgumentException if the rate is not positive or a beta is outside [0, 1) or epsilon is not
     * positive
     */
    public Adam(float learningRate) {
        this(learningRate, 0.9f, 0.999f, 1e-7f);
    }

    /**
     * Adam whose rate comes from {@code schedule} at each update, Keras's other defaults.
     * @throws NullPointerException if {@code schedule} is null
     */
    public Adam(LearningRateSchedule schedule) {
        this(schedule, 0.9f, 0.999f, 1e-7f);
    }

    /**
     * Adam at a fixed {@code learningRate}, with the decay rates of the first and second moments and the
     * denominator's {@code epsilon}.
     * @throws IllegalArgumentException if the rate is not positive or a beta is outside [0, 1) or epsilon is not
     * positive
     */
    public Adam(float learningRate, float beta1, float beta2, float epsilon) {
        this(learningRate, null, beta1, beta2, epsilon);
    }

    /**
     * Adam whose rate comes from {@code schedule}, with the moments' decay rates and {@code epsilon}.
     * @throws IllegalArgumentException if the rate is not positive or a beta is outside [0, 1) or epsilon is not
     * positive
     * @throws NullPointerException if {@code schedule} is null
     */
    public Adam(LearningRateSchedule schedule, float beta1, float beta2, float epsilon) {
        this(Float.NaN, java.util.Objects.requireNonNull(schedule, "schedule"), beta1, beta2, epsilon);
    }

    private Adam(float learningRate, LearningRateSchedule schedule, float beta1, float beta2, float epsilon) {
        check(learningRate, schedule, beta1, beta2, epsilon);
        super(learningRate, schedule, "m", "v");
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    static void check(float learningRate, LearningRateSchedule schedule, float beta1, float beta2, float epsilon) {
        if (!(schedule != null || learningRate > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)
                || !(epsilon > 0)) {
            throw new IllegalArgumentException("Adam needs lr > 0, 0 <= beta1, beta2 < 1, epsilon > 0; got lr="
                    + learningRate + " beta1=" + beta1 + " beta2=" + beta2 + " epsilon=" + epsilon);
        }
    }

    @Override
    void update(List<Tensor> params, List<Tensor> grads) {
        // In a replayable step the bias-corrected rate comes from a device cell the host fills (and
        // the step count advances) before each step; otherwise it goes to the kernel by value.
        StepValues values = StepValues.current();
        DeviceCell alpha = values == null ? null
                : values.float32("adam alpha", () -> Backend.adamAlpha(advance(), beta1, beta2, iterations));
        float rate = values == null ? advance() : Float.NaN;
        adamUpdate(params, grads, rate, alpha, beta1, beta2, epsilon);
    }

    @Override
    public String toString() {
        return "Adam(" + rateAndClipping() + ", beta1=" + beta1 + ", beta2=" + beta2 + ", epsilon=" + epsilon + ")";
    }
}
