package dev.isthmus.nn.tensor;

/** Two shapes that an operation cannot combine; the message names the operation and both shapes. */
public class ShapeMismatchException extends IllegalArgumentException {
    /** A shape mismatch described by {@code message}, which should name the operation and the shapes. */
    public ShapeMismatchException(String message) {
        super(message);
    }

    /**
     * The mismatch of shapes {@code a} and {@code b} in {@code op}, with {@code why} ("differ", "cannot be broadcast
     * together", ...) ending the message.
     */
    public static ShapeMismatchException of(String op, int[] a, int[] b, String why) {
        return new ShapeMismatchException(op + ": shapes " + Shapes.str(a) + " and " + Shapes.str(b) + " " + why);
    }
}
