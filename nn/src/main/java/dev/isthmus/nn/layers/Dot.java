package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Dot products of two inputs sample by sample (Keras's {@code Dot}; axes count the batch axis):
 * vectors [n]·[n] → [1]; matrices contract {@code axes[0]} of the first with {@code axes[1]} of the
 * second, [t, d]·[d, u] → [t, u] for axes (2, 1).
 */
public final class Dot extends MergeLayer {
    private final int[] axes;

    /** The same axis of both inputs. */
    public Dot(int axes) {
        this(axes, axes);
    }

    /** Contracts axis {@code axisOfFirst} of the first input with axis {@code axisOfSecond} of the second (batch axis = 0). */
    public Dot(int axisOfFirst, int axisOfSecond) {
        this.axes = new int[] {axisOfFirst, axisOfSecond};
    }

    @Override
    public int[] computeOutputShape(List<int[]> inputShapes) {
        requireCount(inputShapes, 2, 2);
        int[] a = inputShapes.get(0);
        int[] b = inputShapes.get(1);
        if (a.length != b.length || a.length < 1 || a.length > 2) {
            throw ShapeMismatchException.of(typeName(), a, b,
                    "do not fit: Dot takes two vectors or two matrices per sample (batch axis excluded)");
        }
        int ka = axis(0, a.length);
        int kb = axis(1, b.length);
        if (a[ka] != b[kb]) {
            throw ShapeMismatchException.of(typeName(), a, b, "differ on the contracted axes " + axes[0] + " and " + axes[1]);
        }
        return a.length == 1 ? new int[] {1} : new int[] {a[1 - ka], b[1 - kb]};
    }

    /** Input {@code which}'s contracted axis within a sample of rank {@code rank}. */
    private int axis(int which, int rank) {
        int a = axes[which] < 0 ? rank + 1 + axes[which] : axes[which];
        if (a < 1 || a > rank) {
            throw new IllegalArgumentException("Dot axis " + axes[which] + " is out of range for inputs of rank " + (rank + 1));
        }
        return a - 1;
    }

    @Override
    public Tensor merge(List<Tensor> inputs) {
        Tensor a = inputs.get(0);
        Tensor b = inputs.get(1);
        if (a.rank() == 2) {
            return a.mul(b).sum(new int[] {1}, true);
        }
        // [batch, m, k] · [batch, k, n]: the first contracts its last axis, the second its middle one
        Tensor left = axis(0, 2) == 1 ? a : a.transpose(1, 2);
        Tensor right = axis(1, 2) == 0 ? b : b.transpose(1, 2);
        return left.matmul(right);
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("axes", List.of(axes[0], axes[1]));
    }
}
