package dev.isthmus.nn.layers;

import dev.isthmus.nn.backend.Window2d;
import dev.isthmus.nn.tensor.Functional;
import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras {@code Conv2D} on channels-last input [batch, height, width, channels]: kernel
 * [kh, kw, channels, filters] Glorot uniform, bias zeros (Keras's defaults; fans count the kernel
 * area, {@code fanIn = kh · kw · channels}), padding "valid" or "same". Initializers and a kernel
 * regularizer are set before the layer is built, as on {@link Dense}.
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
    private Initializer kernelInitializer = Initializer.glorotUniform();
    private Initializer biasInitializer = Initializer.zeros();
    private Regularizer kernelRegularizer;

    /** {@code filters} square kernels of {@code kernelSize}, stride 1, "valid" padding, linear, with a bias. */
    public Conv2D(int filters, int kernelSize) {
        this(filters, kernelSize, Activation.LINEAR);
    }

    /** As {@link #Conv2D(int, int)} with {@code activation}. */
    public Conv2D(int filters, int kernelSize, Activation activation) {
        this(filters, new int[] {kernelSize, kernelSize}, new int[] {1, 1}, "valid", activation, true);
    }

    /** Keras's {@code Conv2D(filters, kernel_size, strides, padding, activation, use_bias)}. */
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

    /** Sets the kernel's initializer (Keras {@code kernel_initializer}); before the layer is built. */
    public Conv2D kernelInitializer(Initializer initializer) {
        requireUnbuilt("kernelInitializer");
        this.kernelInitializer = java.util.Objects.requireNonNull(initializer, "initializer");
        return this;
    }

    /** Sets the bias's initializer (Keras {@code bias_initializer}); before the layer is built. */
    public Conv2D biasInitializer(Initializer initializer) {
        requireUnbuilt("biasInitializer");
        this.biasInitializer = java.util.Objects.requireNonNull(initializer, "initializer");
        return this;
    }

    /** Adds {@code regularizer}'s penalty on the kernel to the training loss (Keras {@code kernel_regularizer}); null for none. */
    public Conv2D kernelRegularizer(Regularizer regularizer) {
        requireUnbuilt("kernelRegularizer");
        this.kernelRegularizer = regularizer;
        return this;
    }

    @Override
    protected Map<String, Regularizer> regularizers() {
        return kernelRegularizer == null ? Map.of() : Map.of("kernel", kernelRegularizer);
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
        into.put("kernel", kernelInitializer.create(shapes.get("kernel"), seed));
        if (useBias) {
            into.put("bias", biasInitializer.create(shapes.get("bias"), seed + 1));
        }
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (activation == Activation.RELU || activation == Activation.LINEAR) {
            return Functional.conv2d(x, parameters().get("kernel"), useBias ? parameters().get("bias") : null,
                    activation == Activation.RELU, strideH, strideW, padding);
        }
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
        c.put("kernel_initializer", Initializer.describe(kernelInitializer));
        c.put("bias_initializer", Initializer.describe(biasInitializer));
        c.put("kernel_regularizer", LayerOptions.describe(kernelRegularizer));
        return c;
    }
}
