package dev.isthmus.nn.layers;

import dev.isthmus.nn.backend.Window2d;
import dev.isthmus.nn.tensor.Functional;
import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras {@code Conv2D} on channels-last input [batch, height, width, channels]: kernel
 * [kh, kw, channels, filters] Glorot uniform, bias zeros, padding "valid" or "same".
 */
public final class Conv2D extends Layer {
    private final int filters;
    private final int kernelH;
    private final int kernelW;
    private final int strideH;
    private final int strideW;
    private final Window2d.Padding padding;
    private final Activation activation;
    private final boolean useBias;

    public Conv2D(int filters, int kernelSize) {
        this(filters, kernelSize, Activation.LINEAR);
    }

    public Conv2D(int filters, int kernelSize, Activation activation) {
        this(filters, new int[] {kernelSize, kernelSize}, new int[] {1, 1}, "valid", activation, true);
    }

    public Conv2D(int filters, int[] kernelSize, int[] strides, String padding, Activation activation, boolean useBias) {
        if (filters <= 0 || kernelSize.length != 2 || strides.length != 2
                || kernelSize[0] <= 0 || kernelSize[1] <= 0 || strides[0] <= 0 || strides[1] <= 0) {
            throw new IllegalArgumentException("Conv2D needs filters > 0 and positive 2-D kernel size and strides; got filters "
                    + filters + ", kernel " + java.util.Arrays.toString(kernelSize) + ", strides " + java.util.Arrays.toString(strides));
        }
        this.filters = filters;
        this.kernelH = kernelSize[0];
        this.kernelW = kernelSize[1];
        this.strideH = strides[0];
        this.strideW = strides[1];
        this.padding = Window2d.Padding.of(padding);
        this.activation = activation;
        this.useBias = useBias;
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        if (s.length != 3) {
            throw new IllegalArgumentException("Conv2D expects inputs [height, width, channels] per sample, got "
                    + java.util.Arrays.toString(s));
        }
        Window2d g = Window2d.of(1, s[0], s[1], s[2], kernelH, kernelW, strideH, strideW, padding);
        return new int[] {g.outHeight(), g.outWidth(), filters};
    }

    @Override
    public Map<String, int[]> parameterShapes(int[] s) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("kernel", new int[] {kernelH, kernelW, s[2], filters});
        if (useBias) {
            shapes.put("bias", new int[] {filters});
        }
        return shapes;
    }

    @Override
    protected void createParameters(int[] s, long seed, Map<String, Tensor> into) {
        Map<String, int[]> shapes = parameterShapes(s);
        into.put("kernel", Tensor.glorotUniform(shapes.get("kernel"), seed));
        if (useBias) {
            into.put("bias", Tensor.zeros(shapes.get("bias")));
        }
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Tensor y = Functional.conv2d(x, parameters().get("kernel"), strideH, strideW, padding);
        if (useBias) {
            y = y.add(parameters().get("bias"));
        }
        return activation.apply(y);
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        return null;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("filters", filters);
        c.put("kernel_size", List.of(kernelH, kernelW));
        c.put("strides", List.of(strideH, strideW));
        c.put("padding", padding.name().toLowerCase(java.util.Locale.ROOT));
        c.put("activation", activation.kerasName());
        c.put("use_bias", useBias);
        return c;
    }
}
