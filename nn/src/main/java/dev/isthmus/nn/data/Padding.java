package dev.isthmus.nn.data;

/** Where {@link Sequences#pad} puts the padding of a short sequence (Keras {@code padding="pre"|"post"}). */
public enum Padding {
    /** Padding before the sequence, so the real items sit at the end (the Keras default). */
    PRE,
    /** Padding after the sequence. */
    POST
}
