package dev.isthmus.nn.callbacks;

/** Whether a monitored value improves downwards ({@code MIN}), upwards ({@code MAX}) or as its name says ({@code AUTO}), as Keras's {@code mode}. */
public enum Mode {
    /** Decided from the monitored name, as Keras decides it: losses fall, accuracies rise (each callback says how). */
    AUTO,
    /** Lower is better. */
    MIN,
    /** Higher is better. */
    MAX
}
