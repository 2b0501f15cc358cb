package dev.isthmus.nn.data;

import dev.isthmus.nn.tensor.Shapes;
import dev.isthmus.nn.tensor.Tensor;
import java.util.Arrays;

/** One-hot encoding of class labels (Keras {@code to_categorical}) and its inverse, {@link #argmax}. */
public final class Categorical {
    private Categorical() {
    }

    /**
     * A [labels.length, numClasses] one-hot tensor. {@code numClasses <= 0} means max(labels) + 1.
     *
     * @throws IndexOutOfBoundsException for a label below 0 or at or above numClasses, naming it and its position
     */
    public static Tensor toCategorical(int[] labels, int numClasses) {
        int c = classes(labels, numClasses);
        return Tensor.of(oneHot(labels, c), labels.length, c);
    }

    /**
     * One-hot encoding of a tensor of integral labels: shape labels.shape + [numClasses], except that a
     * trailing axis of size 1 (labels shaped [n, 1]) is dropped first, as Keras does.
     */
    public static Tensor toCategorical(Tensor labels, int numClasses) {
        int[] ints = labels.dtype().isInteger() ? integerLabels(labels.toLongArray()) : integerLabels(labels.toArray());
        int c = classes(ints, numClasses);
        int[] in = labels.shape();
        if (in.length > 1 && in[in.length - 1] == 1) {
            in = Arrays.copyOf(in, in.length - 1);
        }
        int[] out = Arrays.copyOf(in, in.length + 1);
        out[in.length] = c;
        return Tensor.of(labels.device(), oneHot(ints, c), out);
    }

    private static int[] integerLabels(float[] values) {
        int[] ints = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("toCategorical: label at position " + i + " is " + v
                        + ", not an integer class number");
            }
            ints[i] = (int) v;
        }
        return ints;
    }

    private static int[] integerLabels(long[] values) {
        int[] ints = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("toCategorical: label at position " + i + " is " + values[i]
                        + ", not a class number");
            }
            ints[i] = (int) values[i];
        }
        return ints;
    }

    /** The index of the largest value along the last axis, one per leading position; ties go to the first. */
    public static int[] argmax(Tensor probs) {
        int[] shape = probs.shape();
        if (shape.length == 0 || shape[shape.length - 1] == 0) {
            throw new IllegalArgumentException("argmax needs a tensor with a non-empty last axis, got shape "
                    + Shapes.str(shape));
        }
        int c = shape[shape.length - 1];
        float[] v = probs.toArray();
        int[] out = new int[v.length / c];
        for (int r = 0; r < out.length; r++) {
            int best = 0;
            float bestValue = v[r * c];
            for (int j = 1; j < c && !Float.isNaN(bestValue); j++) {
                float x = v[r * c + j];
                // a NaN wins, as in NumPy, so that a broken row shows instead of hiding behind a plausible class
                if (x > bestValue || Float.isNaN(x)) {
                    best = j;
                    bestValue = x;
                }
            }
            out[r] = best;
        }
        return out;
    }

    private static int classes(int[] labels, int numClasses) {
        if (numClasses > 0) {
            return numClasses;
        }
        if (labels.length == 0) {
            throw new IllegalArgumentException("toCategorical: cannot infer the number of classes from no labels;"
                    + " pass numClasses");
        }
        return Arrays.stream(labels).max().getAsInt() + 1;
    }

    private static float[] oneHot(int[] labels, int c) {
        float[] out = new float[Math.multiplyExact(labels.length, c)];
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i];
            if (label < 0 || label >= c) {
                throw new IndexOutOfBoundsException("toCategorical: label " + label + " at position " + i
                        + " is outside [0, " + c + ")");
            }
            out[i * c + label] = 1f;
        }
        return out;
    }
}
