package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras {@code ZeroPadding2D(padding=((top, bottom), (left, right)))}, channels-last: zero rows above
 * and below, zero columns left and right of each image.
 */
public final class ZeroPadding2D extends Layer {
    private final int top;
    private final int bottom;
    private final int left;
    private final int right;

    /** {@code padding} zeros on every side. */
    public ZeroPadding2D(int padding) {
        this(padding, padding, padding, padding);
    }

    /** @throws IllegalArgumentException if an amount is negative */
    public ZeroPadding2D(int top, int bottom, int left, int right) {
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new IllegalArgumentException("ZeroPadding2D amounts must be >= 0, got " + top + ", " + bottom + ", " + left
                    + ", " + right);
        }
        this.top = top;
        this.bottom = bottom;
        this.left = left;
        this.right = right;
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        if (s.length != 3) {
            throw new IllegalArgumentException("ZeroPadding2D expects [height, width, channels] per sample, got "
                    + java.util.Arrays.toString(s));
        }
        return new int[] {s[0] + top + bottom, s[1] + left + right, s[2]};
    }

    private static Tensor pad(Tensor x, int axis, int before, int after) {
        if (before == 0 && after == 0) {
            return x;
        }
        List<Tensor> parts = new java.util.ArrayList<>();
        int[] shape = x.shape();
        if (before > 0) {
            shape[axis] = before;
            parts.add(Tensor.full(x.device(), 0f, shape.clone()));
        }
        parts.add(x);
        if (after > 0) {
            shape[axis] = after;
            parts.add(Tensor.full(x.device(), 0f, shape.clone()));
        }
        return Tensor.concat(parts, axis);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return pad(pad(x, 1, top, bottom), 2, left, right);
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        return null;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("padding", List.of(List.of(top, bottom), List.of(left, right)));
        return c;
    }
}
