package dev.isthmus.nn.tensor;

/** Two shapes that an operation cannot combine; the message names the operation and both shapes. */
public class ShapeMismatchException extends IllegalArgumentException {
    public ShapeMismatchException(String message) {
        super(message);
    }

    public static ShapeMismatchException of(String op, int[] a, int[] b, String why) {
        return new ShapeMismatchException(op + ": shapes " + Shapes.str(a) + " and " + Shapes.str(b) + " " + why);
    }
}
