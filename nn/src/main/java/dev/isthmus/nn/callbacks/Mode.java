package dev.isthmus.nn.callbacks;

/** Whether a monitored value improves downwards ({@code MIN}), upwards ({@code MAX}) or as its name says ({@code AUTO}), as Keras's {@code mode}. */
public enum Mode {
    AUTO, MIN, MAX
}
