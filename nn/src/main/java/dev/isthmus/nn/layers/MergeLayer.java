package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * A layer of several inputs and no weights (Keras's merge layers): it runs only in a functional
 * model, which calls {@link #merge} with the tensors of its inbound nodes.
 */
public abstract class MergeLayer extends Layer {
    /** For subclasses: a merge layer has no weights and is built from its inputs' shapes. */
    protected MergeLayer() {
    }

    /** The output shape (batch axis excluded) for these input shapes; throws on shapes it cannot merge. */
    @Override
    public abstract int[] computeOutputShape(List<int[]> inputShapes);

    /** Merges one batch of each input. */
    public abstract Tensor merge(List<Tensor> inputs);

    @Override
    public final Tensor call(List<Tensor> inputs, List<Tensor> masks, boolean training) {
        return merge(inputs);
    }

    /** Masks do not pass a merge (their time axes need not line up). */
    @Override
    public final Tensor outputMask(List<Tensor> inputs, List<Tensor> masks) {
        return null;
    }

    @Override
    public final int[] computeOutputShape(int[] inputShape) {
        throw new UnsupportedOperationException(typeName() + " merges several inputs: apply it to a list in a functional model");
    }

    @Override
    protected final Tensor forward(Tensor x, boolean training) {
        throw new UnsupportedOperationException(typeName() + " merges several inputs: apply it to a list in a functional model");
    }

    /** Throws unless there are at least {@code min} inputs, all of one shape. */
    protected final int[] sameShapes(List<int[]> shapes, int min) {
        requireCount(shapes, min, Integer.MAX_VALUE);
        for (int[] s : shapes) {
            if (!Arrays.equals(s, shapes.getFirst())) {
                throw ShapeMismatchException.of(typeName(), shapes.getFirst(), s,
                        "differ: " + typeName() + " needs inputs of one shape (batch axis excluded)");
            }
        }
        return shapes.getFirst().clone();
    }

    /** Refuses, with an IllegalArgumentException naming the layer, a call with fewer than {@code min} or more than {@code max} inputs. */
    protected final void requireCount(List<int[]> shapes, int min, int max) {
        if (shapes.size() < min || shapes.size() > max) {
            throw new IllegalArgumentException(typeName() + " takes " + (min == max ? "exactly " + min
                    : "at least " + min) + " inputs, got " + shapes.size());
        }
    }
}
