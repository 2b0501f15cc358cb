package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Shapes;

/** A weight given to {@code setWeights} whose shape is not the layer's: names the layer, the weight and both shapes. */
public final class WeightShapeException extends ShapeMismatchException {
    private final String layer;
    private final String weight;
    private final int[] expected;
    private final int[] given;

    public WeightShapeException(String layer, String weight, int[] expected, int[] given) {
        super("layer " + layer + ", weight " + weight + ": the layer's shape is " + Shapes.str(expected)
                + " but the value given has shape " + Shapes.str(given));
        this.layer = layer;
        this.weight = weight;
        this.expected = expected.clone();
        this.given = given.clone();
    }

    public String layer() {
        return layer;
    }

    public String weight() {
        return weight;
    }

    public int[] expected() {
        return expected.clone();
    }

    public int[] given() {
        return given.clone();
    }
}
