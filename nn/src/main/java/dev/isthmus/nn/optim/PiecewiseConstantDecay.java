package dev.isthmus.nn.optim;

import java.util.Arrays;

/**
 * Keras's {@code PiecewiseConstantDecay}: {@code values[0]} up to and including step
 * {@code boundaries[0]}, {@code values[i]} for steps in {@code (boundaries[i-1], boundaries[i]]},
 * and the last value after the last boundary.
 */
public final class PiecewiseConstantDecay implements LearningRateSchedule {
    private final long[] boundaries;
    private final float[] values;

    /**
     * {@code values[i]} between boundaries, as the class describes; both arrays are copied.
     * @throws IllegalArgumentException unless there is one more value than boundaries, the boundaries increase and
     * every value is positive
     */
    public PiecewiseConstantDecay(long[] boundaries, float[] values) {
        if (values.length != boundaries.length + 1) {
            throw new IllegalArgumentException("PiecewiseConstantDecay needs one more value than boundaries; got "
                    + boundaries.length + " boundaries and " + values.length + " values");
        }
        for (int i = 1; i < boundaries.length; i++) {
            if (boundaries[i] <= boundaries[i - 1]) {
                throw new IllegalArgumentException("boundaries must increase, got " + Arrays.toString(boundaries));
            }
        }
        for (float v : values) {
            if (!(v > 0)) {
                throw new IllegalArgumentException("learning rates must be > 0, got " + Arrays.toString(values));
            }
        }
        this.boundaries = boundaries.clone();
        this.values = values.clone();
    }

    @Override
    public float at(long step) {
        for (int i = 0; i < boundaries.length; i++) {
            if (step <= boundaries[i]) {
                return values[i];
            }
        }
        return values[values.length - 1];
    }

    @Override
    public String toString() {
        return "PiecewiseConstantDecay(boundaries=" + Arrays.toString(boundaries) + ", values=" + Arrays.toString(values) + ")";
    }
}
