package dev.isthmus.nn.optim;

import dev.isthmus.nn.tensor.Tensor;
import java.util.List;

/**
 * RMSprop, Keras's update and defaults (lr 0.001, rho 0.9, momentum 0, epsilon 1e-7, not centered):
 * {@code v = ρ·v + (1-ρ)·g²}; centered also {@code a = ρ·a + (1-ρ)·g} and the denominator
 * {@code v - a² + ε}, else {@code v + ε}; {@code Δ = lr·g / sqrt(denominator)} (ε inside the
 * root, as Keras); with momentum {@code μ = momentum·μ + Δ}, {@code w -= μ}, else {@code w -= Δ}.
 */
public final class RMSprop extends SlotOptimizer<RMSprop> {
    private final float rho;
    private final float momentum;
    private final float epsilon;
    private final boolean centered;

    /** RMSprop with Keras's defaults: learning rate 0.001, rho 0.9, no momentum, epsilon 1e-7, not centered. */
    public RMSprop() {
        this(0.001f);
    }

    /**
     * RMSprop at a fixed {@code learningRate} (changeable with {@link #setLearningRate}), Keras's other defaults.
     * @throws IllegalArgumentException if the rate is not positive, rho or momentum outside [0, 1) or epsilon not
     * positive
     */
    public RMSprop(float learningRate) {
        this(learningRate, 0.9f, 0f, 1e-7f, false);
    }

    /**
     * RMSprop whose rate comes from {@code schedule} at each update, Keras's other defaults.
     * @throws NullPointerException if {@code schedule} is null
     */
    public RMSprop(LearningRateSchedule schedule) {
        this(schedule, 0.9f, 0f, 1e-7f, false);
    }

    /**
     * RMSprop at a fixed {@code learningRate}: {@code rho} the decay of the squared-gradient average, {@code momentum}
     * (0: none), {@code epsilon} inside the root, {@code centered} to divide by the gradient's variance estimate
     * instead of its raw second moment.
     * @throws IllegalArgumentException if the rate is not positive, rho or momentum outside [0, 1) or epsilon not
     * positive
     */
    public RMSprop(float learningRate, float rho, float momentum, float epsilon, boolean centered) {
        this(learningRate, null, rho, momentum, epsilon, centered);
    }

    /**
     * RMSprop whose rate comes from {@code schedule}, the other hyper-parameters as in
     * {@link #RMSprop(float, float, float, float, boolean)}.
     * @throws IllegalArgumentException if the rate is not positive, rho or momentum outside [0, 1) or epsilon not
     * positive
     * @throws NullPointerException if {@code schedule} is null
     */
    public RMSprop(LearningRateSchedule schedule, float rho, float momentum, float epsilon, boolean centered) {
        this(Float.NaN, java.util.Objects.requireNonNull(schedule, "schedule"), rho, momentum, epsilon, centered);
    }

    private RMSprop(float learningRate, LearningRateSchedule schedule, float rho, float momentum, float epsilon,
                    boolean centered) {
        if (!(schedule != null || learningRate > 0) || !(rho >= 0 && rho < 1) || !(momentum >= 0 && momentum < 1)
                || !(epsilon > 0)) {
            throw new IllegalArgumentException("RMSprop needs lr > 0, 0 <= rho < 1, 0 <= momentum < 1, epsilon > 0; got lr="
                    + learningRate + " rho=" + rho + " momentum=" + momentum + " epsilon=" + epsilon);
        }
        super(learningRate, schedule, slotNames(momentum, centered));
        this.rho = rho;
        this.momentum = momentum;
        this.epsilon = epsilon;
        this.centered = centered;
    }

    private static String[] slotNames(float momentum, boolean centered) {
        List<String> names = new java.util.ArrayList<>(List.of("velocity"));
        if (momentum > 0) {
            names.add("momentum");
        }
        if (centered) {
            names.add("average_gradient");
        }
        return names.toArray(String[]::new);
    }

    @Override
    void update(List<Tensor> params, List<Tensor> grads) {
        Tensor rate = advanceToTensor(deviceOf(params));
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            Tensor g = grads.get(i);
            Tensor[] s = slots(p);
            Tensor velocity = s[0];
            velocity.mulInPlace(rho).addInPlace(g.square().mul(1 - rho));
            Tensor denominator;
            if (centered) {
                Tensor average = s[momentum > 0 ? 2 : 1];
                average.mulInPlace(rho).addInPlace(g.mul(1 - rho));
                denominator = velocity.sub(average.square()).add(epsilon);
            } else {
                denominator = velocity.add(epsilon);
            }
            Tensor increment = g.mul(rate).div(denominator.sqrt());
            if (momentum > 0) {
                p.subInPlace(s[1].mulInPlace(momentum).addInPlace(increment));
            } else {
                p.subInPlace(increment);
            }
        }
    }

    @Override
    public String toString() {
        return "RMSprop(" + rateAndClipping() + ", rho=" + rho + ", momentum=" + momentum + ", epsilon=" + epsilon
                + ", centered=" + centered + ")";
    }
}
