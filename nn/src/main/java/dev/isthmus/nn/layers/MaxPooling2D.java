package dev.isthmus.nn.layers;

import dev.isthmus.nn.backend.Window2d;
import dev.isthmus.nn.tensor.Functional;
import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Keras {@code MaxPooling2D}, channels-last; strides default to the pool size. */
public final class MaxPooling2D extends Layer {
    private final int poolH;
    private final int poolW;
    private final int strideH;
    private final int strideW;
    private final Window2d.Padding padding;

    /**
     * Square windows of {@code poolSize} × {@code poolSize}, moved by the same stride, "valid" padding (windows
     * entirely inside the input).
     * @throws IllegalArgumentException if {@code poolSize} is not positive
     */
    public MaxPooling2D(int poolSize) {
        this(new int[] {poolSize, poolSize}, null, "valid");
    }

    /** {@code strides} null means the pool size, as in Keras. */
    public MaxPooling2D(int[] poolSize, int[] strides, String padding) {
        int[] s = strides == null ? poolSize : strides;
        if (poolSize.length != 2 || s.length != 2 || poolSize[0] <= 0 || poolSize[1] <= 0 || s[0] <= 0 || s[1] <= 0) {
            throw new IllegalArgumentException("MaxPooling2D needs positive 2-D pool size and strides, got "
                    + java.util.Arrays.toString(poolSize) + " and " + java.util.Arrays.toString(s));
        }
        this.poolH = poolSize[0];
        this.poolW = poolSize[1];
        this.strideH = s[0];
        this.strideW = s[1];
        this.padding = Window2d.Padding.of(padding);
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        if (s.length != 3) {
            throw new IllegalArgumentException("MaxPooling2D expects inputs [height, width, channels] per sample, got "
                    + java.util.Arrays.toString(s));
        }
        Window2d g = Window2d.of(1, s[0], s[1], s[2], poolH, poolW, strideH, strideW, padding);
        return new int[] {g.outHeight(), g.outWidth(), s[2]};
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return Functional.maxPool2d(x, poolH, poolW, strideH, strideW, padding);
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        return null;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("pool_size", List.of(poolH, poolW));
        c.put("strides", List.of(strideH, strideW));
        c.put("padding", padding.name().toLowerCase(java.util.Locale.ROOT));
        return c;
    }
}
