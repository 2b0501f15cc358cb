package dev.isthmus.nn.optim;

/**
 * Keras's {@code CosineDecay} with optional linear warm-up. Without warm-up (warmupTarget
 * {@code NaN}): {@code initial · ((1-alpha) · ½(1 + cos(π · min(step, decaySteps)/decaySteps)) + alpha)}.
 * With warm-up: the rate rises linearly from {@code initial} to {@code warmupTarget} over
 * {@code warmupSteps}, then decays from {@code warmupTarget} by the cosine over {@code decaySteps}.
 */
public record CosineDecay(float initialLearningRate, long decaySteps, float alpha, float warmupTarget, long warmupSteps)
        implements LearningRateSchedule {
    /**
     * Checks the parameters.
     * @throws IllegalArgumentException unless {@code initialLearningRate >= 0}, {@code decaySteps > 0},
     * {@code 0 <= alpha <= 1}, {@code warmupSteps >= 0}, and {@code warmupTarget > 0} or NaN (no warm-up)
     */
    public CosineDecay {
        if (!(initialLearningRate >= 0) || decaySteps <= 0 || !(alpha >= 0 && alpha <= 1) || warmupSteps < 0
                || !(Float.isNaN(warmupTarget) || warmupTarget > 0)) {
            throw new IllegalArgumentException("CosineDecay needs initialLearningRate >= 0, decaySteps > 0,"
                    + " 0 <= alpha <= 1, warmupSteps >= 0 and warmupTarget > 0 (or NaN: no warm-up); got "
                    + initialLearningRate + ", " + decaySteps + ", " + alpha + ", " + warmupTarget + ", " + warmupSteps);
        }
    }

    /** Cosine decay from {@code initialLearningRate} to {@code alpha · initialLearningRate}, no warm-up. */
    public CosineDecay(float initialLearningRate, long decaySteps, float alpha) {
        this(initialLearningRate, decaySteps, alpha, Float.NaN, 0);
    }

    /** Cosine decay from {@code initialLearningRate} to 0 over {@code decaySteps} updates, no warm-up. */
    public CosineDecay(float initialLearningRate, long decaySteps) {
        this(initialLearningRate, decaySteps, 0f);
    }

    @Override
    public float at(long step) {
        if (Float.isNaN(warmupTarget)) {
            return (float) decayed(Math.min(step, decaySteps), initialLearningRate);
        }
        long s = Math.min(step, decaySteps + warmupSteps);
        if (s < warmupSteps) {
            return (float) ((warmupTarget - (double) initialLearningRate) * s / warmupSteps + initialLearningRate);
        }
        return (float) decayed(s - warmupSteps, warmupTarget);
    }

    private double decayed(long step, double from) {
        double cosine = 0.5 * (1 + Math.cos(Math.PI * step / decaySteps));
        return from * ((1 - alpha) * cosine + alpha);
    }
}
