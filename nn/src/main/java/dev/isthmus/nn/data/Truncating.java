package dev.isthmus.nn.data;

/** Which end {@link Sequences#pad} cuts from a long sequence (Keras {@code truncating="pre"|"post"}). */
public enum Truncating {
    /** Drop items from the start, keeping the last {@code maxLen} (the Keras default). */
    PRE,
    /** Drop items from the end, keeping the first {@code maxLen}. */
    POST
}
