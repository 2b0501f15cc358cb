package dev.isthmus.nn.callbacks;

import dev.isthmus.nn.model.Model;
import java.util.Map;
import java.util.function.IntToDoubleFunction;

/**
 * Sets the optimizer's learning rate at the start of each epoch from a function of the epoch
 * (from 0) and the current rate, as Keras's {@code LearningRateScheduler}; adds the rate to each
 * epoch's logs as "learning_rate". For a rate that changes every step, give the optimizer a
 * {@code LearningRateSchedule} instead.
 */
public final class LearningRateScheduler implements Callback {
    /** The rate of epoch {@code epoch} given the rate in use. */
    @FunctionalInterface
    public interface EpochSchedule {
        /** The rate for epoch {@code epoch} (from 0), given the rate the optimizer uses now; must be finite. */
        double rate(int epoch, double currentRate);
    }

    private final EpochSchedule schedule;
    private Model model;

    /**
     * Sets the optimizer's rate at the start of every epoch to {@code schedule}'s value (Keras's
     * {@code LearningRateScheduler}) and logs it as "learning_rate". The optimizer must have a fixed rate: one
     * whose rate comes from a {@link dev.isthmus.nn.optim.LearningRateSchedule} throws
     * {@link IllegalStateException} at the first epoch; a non-finite rate throws {@link IllegalArgumentException}.
     */
    public LearningRateScheduler(EpochSchedule schedule) {
        this.schedule = schedule;
    }

    /** A schedule of the epoch alone. */
    public LearningRateScheduler(IntToDoubleFunction schedule) {
        this((epoch, current) -> schedule.applyAsDouble(epoch));
    }

    @Override
    public void setModel(Model model) {
        this.model = model;
    }

    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
        double rate = schedule.rate(epoch, model.optimizer().learningRate());
        if (!Double.isFinite(rate)) {
            throw new IllegalArgumentException("the learning rate schedule gave " + rate + " for epoch " + epoch);
        }
        model.optimizer().setLearningRate((float) rate);
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        logs.put("learning_rate", (double) model.optimizer().learningRate());
    }
}
