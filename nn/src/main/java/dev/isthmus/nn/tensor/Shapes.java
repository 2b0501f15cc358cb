package dev.isthmus.nn.tensor;

import java.util.Arrays;

/** Shape arithmetic on row-major int[] shapes. */
public final class Shapes {
    private Shapes() {
    }

    /** The number of elements of {@code shape}: the product of its dimensions (1 for an empty shape). */
    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** The product of {@code shape[from..to)} (1 for an empty range): the outer or inner count around an axis. */
    public static long product(int[] shape, int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) {
            n *= shape[i];
        }
        return n;
    }

    /**
     * The element count of {@code b} when its shape, leading 1s dropped, equals the trailing axes
     * of {@code out} — that is, when b repeats over out's leading axes (a bias); otherwise 0.
     */
    public static long trailingMatch(int[] b, int[] out) {
        int start = 0;
        while (start < b.length && b[start] == 1) {
            start++;
        }
        int len = b.length - start;
        if (len == 0 || len > out.length) {
            return 0;
        }
        for (int i = 0; i < len; i++) {
            if (b[start + i] != out[out.length - len + i]) {
                return 0;
            }
        }
        return product(b, start, b.length);
    }

    /** Row-major strides, in elements, of a contiguous tensor of {@code shape}. */
    public static long[] strides(int[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** {@code shape} as "[2, 3]", as error messages print it. */
    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    /**
     * Refuses a shape with a negative dimension.
     * @throws IllegalArgumentException if a dimension is negative
     */
    public static void checkValid(int[] shape) {
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + str(shape));
            }
        }
    }

    /** NumPy broadcasting of two shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw ShapeMismatchException.of(op, a, b, "cannot be broadcast together (dimension "
                        + i + " of the result: " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Strides of {@code shape} seen from a broadcast result of rank {@code rank}: 0 where broadcast. */
    public static long[] broadcastStrides(int[] shape, int[] outShape) {
        long[] own = strides(shape);
        long[] s = new long[outShape.length];
        int off = outShape.length - shape.length;
        for (int i = 0; i < shape.length; i++) {
            s[i + off] = shape[i] == 1 && outShape[i + off] != 1 ? 0 : own[i];
        }
        return s;
    }

    /**
     * {@code axis} made non-negative for a tensor of {@code rank} ({@code -1} is the last axis).
     * @throws IllegalArgumentException if {@code axis} is outside {@code [-rank, rank)}
     */
    public static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for rank " + rank);
        }
        return a;
    }

    /** Normalised, sorted, distinct axes; an empty argument means all axes. */
    public static int[] axes(int[] axes, int rank) {
        if (axes.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) {
                all[i] = i;
            }
            return all;
        }
        boolean[] seen = new boolean[rank];
        for (int a : axes) {
            int n = axis(a, rank);
            if (seen[n]) {
                throw new IllegalArgumentException("axis " + a + " given twice in " + Arrays.toString(axes));
            }
            seen[n] = true;
        }
        int[] out = new int[axes.length];
        int j = 0;
        for (int i = 0; i < rank; i++) {
            if (seen[i]) {
                out[j++] = i;
            }
        }
        return out;
    }
}
