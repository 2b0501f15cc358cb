package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Shapes;

/** A weight given to {@code setWeights} whose shape is not the layer's: names the layer, the weight and both shapes. */
public final class WeightShapeException extends ShapeMismatchException {
    /** The layer's name. */
    private final String layer;
    /** The weight's name within the layer. */
    private final String weight;
    /** The layer's shape for the weight. */
    private final int[] expected;
    /** The shape of the value given. */
    private final int[] given;

    /** The value given for {@code layer}'s weight {@code weight} has shape {@code given}, not {@code expected}. */
    public WeightShapeException(String layer, String weight, int[] expected, int[] given) {
        super("layer " + layer + ", weight " + weight + ": the layer's shape is " + Shapes.str(expected)
                + " but the value given has shape " + Shapes.str(given));
        this.layer = layer;
        this.weight = weight;
        this.expected = expected.clone();
        this.given = given.clone();
    }

    /** The layer's name in its model ("dense_1"), or its type for a layer on its own. */
    public String layer() {
        return layer;
    }

    /** The weight's name ("kernel", "bias", "recurrent_kernel", ...). */
    public String weight() {
        return weight;
    }

    /** The shape the layer's weight has (a copy). */
    public int[] expected() {
        return expected.clone();
    }

    /** The shape of the value given (a copy). */
    public int[] given() {
        return given.clone();
    }
}
