package dev.isthmus.nn.optim;

/**
 * A learning rate that depends on the optimizer's step count, as Keras's
 * {@code keras.optimizers.schedules.LearningRateSchedule}: the optimizer evaluates it on the host
 * before each update, at the number of updates made so far (0 for the first).
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /** The rate of the update that follows {@code step} earlier updates. */
    float at(long step);
}
