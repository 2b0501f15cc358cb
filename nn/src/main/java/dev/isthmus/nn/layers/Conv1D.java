package dev.isthmus.nn.layers;

import dev.isthmus.nn.backend.Window2d;
import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras {@code Conv1D(filters, kernel_size, strides, padding, activation, use_bias)} over time,
 * channels last: [batch, time, channels] → [batch, steps, filters], "valid" or "same" padding as
 * TensorFlow pads. Kernel [kernelSize, channels, filters] Glorot uniform (fans as Keras counts them),
 * bias zeros. It runs as the 2-D convolution of a one-row image, so it has that op's kernels and
 * gradients on every backend.
 */
public final class Conv1D extends Layer {
    private final int filters;
    private final int kernelSize;
    private final int stride;
    private final Window2d.Padding padding;
    private final Activation activation;
    private final boolean useBias;

    /** {@code filters} kernels of {@code kernelSize} steps, stride 1, "valid", through {@code activation}, with a bias. */
    public Conv1D(int filters, int kernelSize, Activation activation) {
        this(filters, kernelSize, 1, "valid", activation, true);
    }

    /**
     * Every option, as Keras's.
     * @throws IllegalArgumentException for a non-positive size or stride, or a padding other than "valid" and "same"
     *     ("causal" is not supported)
     */
    public Conv1D(int filters, int kernelSize, int stride, String padding, Activation activation, boolean useBias) {
        if (filters <= 0 || kernelSize <= 0 || stride <= 0) {
            throw new IllegalArgumentException("Conv1D needs filters, kernel size and stride > 0, got " + filters + ", "
                    + kernelSize + ", " + stride);
        }
        this.filters = filters;
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = Window2d.Padding.of(padding);
        this.activation = activation;
        this.useBias = useBias;
    }

    private Window2d window(int[] s) {
        return Window2d.of(1, 1, s[0], s[1], 1, kernelSize, 1, stride, padding);
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        if (s.length != 2) {
            throw new IllegalArgumentException("Conv1D expects [time, channels] per sample, got " + java.util.Arrays.toString(s));
        }
        return new int[] {window(s).outWidth(), filters};
    }

    @Override
    public Map<String, int[]> parameterShapes(int[] s) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("kernel", new int[] {kernelSize, s[1], filters});
        if (useBias) {
            shapes.put("bias", new int[] {filters});
        }
        return shapes;
    }

    @Override
    protected void createParameters(int[] s, long seed, Map<String, Tensor> into) {
        Map<String, int[]> shapes = parameterShapes(s);
        into.put("kernel", Initializer.glorotUniform().create(shapes.get("kernel"), seed));
        if (useBias) {
            into.put("bias", Initializer.zeros().create(shapes.get("bias"), seed + 1));
        }
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        int n = x.size(0);
        int t = x.size(1);
        int c = x.size(2);
        Tensor kernel = parameters().get("kernel").reshape(1, kernelSize, c, filters);
        Tensor bias = useBias ? parameters().get("bias") : null;
        Tensor image = x.reshape(n, 1, t, c);
        Tensor y = Conv2D.convolve(image, kernel, bias, activation, 1, stride, padding);
        return y.reshape(n, y.size(2), filters);
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        return null;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("filters", filters);
        c.put("kernel_size", List.of(kernelSize));
        c.put("strides", List.of(stride));
        c.put("padding", padding.name().toLowerCase(java.util.Locale.ROOT));
        c.put("activation", activation.kerasName());
        c.put("use_bias", useBias);
        return c;
    }
}
