package dev.isthmus.nn.optim;

/**
 * Keras's {@code ExponentialDecay}: {@code initial · decayRate^(step / decaySteps)}, the exponent
 * floored when {@code staircase}.
 */
public record ExponentialDecay(float initialLearningRate, long decaySteps, float decayRate, boolean staircase)
        implements LearningRateSchedule {
    /**
     * Checks the parameters.
     * @throws IllegalArgumentException unless initialLearningRate > 0, decaySteps > 0 and decayRate > 0
     */
    public ExponentialDecay {
        if (!(initialLearningRate > 0) || decaySteps <= 0 || !(decayRate > 0)) {
            throw new IllegalArgumentException("ExponentialDecay needs initialLearningRate > 0, decaySteps > 0 and"
                    + " decayRate > 0; got " + initialLearningRate + ", " + decaySteps + ", " + decayRate);
        }
    }

    /** A smooth (not staircase) exponential decay: {@code initial · decayRate^(step / decaySteps)}. */
    public ExponentialDecay(float initialLearningRate, long decaySteps, float decayRate) {
        this(initialLearningRate, decaySteps, decayRate, false);
    }

    @Override
    public float at(long step) {
        double p = (double) step / decaySteps;
        return (float) (initialLearningRate * Math.pow(decayRate, staircase ? Math.floor(p) : p));
    }
}
