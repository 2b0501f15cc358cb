package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.Shapes;
import java.util.List;

/**
 * A placeholder for the tensors a functional model will compute (Keras's {@code KerasTensor}):
 * the shape (batch axis excluded) and dtype, the layer whose call made it and the tensors that
 * call took. {@link Input#of} makes the first ones; {@link Layer#apply} the others. Holds no data.
 */
public final class SymbolicTensor {
    private final int[] shape;
    private final DType dtype;
    private final Layer layer;
    private final List<SymbolicTensor> inbound;
    private final String inputName;

    SymbolicTensor(int[] shape, DType dtype, Layer layer, List<SymbolicTensor> inbound, String inputName) {
        this.shape = shape.clone();
        this.dtype = dtype;
        this.layer = layer;
        this.inbound = List.copyOf(inbound);
        this.inputName = inputName;
    }

    /** The shape of one sample (batch axis excluded). */
    public int[] shape() {
        return shape.clone();
    }

    /** The element type the tensor will have (float32 unless its input or layer says otherwise). */
    public DType dtype() {
        return dtype;
    }

    /** The layer whose call made this tensor; null for an {@link Input}. */
    public Layer layer() {
        return layer;
    }

    /** The tensors the call took (empty for an input). */
    public List<SymbolicTensor> inbound() {
        return inbound;
    }

    /** Whether this is a model input (made by {@link Input}), not a layer's output. */
    public boolean isInput() {
        return layer == null;
    }

    /** The name given to {@link Input#of(String, int...)}, or null. */
    public String inputName() {
        return inputName;
    }

    @Override
    public String toString() {
        return "SymbolicTensor(shape=" + Shapes.str(shape) + ", dtype=" + dtype
                + (layer == null ? ", input" : ", from " + layer.typeName()) + ")";
    }
}
