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
    private int dilationH = 1;
    private int dilationW = 1;
    private int groups = 1;
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

    /**
     * Keras's {@code dilation_rate}: the kernel's taps {@code rate} pixels apart (an atrous
     * convolution, its window (k - 1)·rate + 1 wide); before the layer is built. Run as the
     * convolution with zeros between the taps, so every backend has it.
     * @throws IllegalArgumentException for a rate below 1, or a rate above 1 with strides above 1 (as TensorFlow)
     */
    public Conv2D dilationRate(int rateH, int rateW) {
        requireUnbuilt("dilationRate");
        if (rateH < 1 || rateW < 1) {
            throw new IllegalArgumentException("Conv2D dilation rates must be >= 1, got " + rateH + "x" + rateW);
        }
        if ((rateH > 1 || rateW > 1) && (strideH > 1 || strideW > 1)) {
            throw new IllegalArgumentException("Conv2D takes dilation rates above 1 only with strides of 1 (as TensorFlow),"
                    + " got dilation " + rateH + "x" + rateW + " and strides " + strideH + "x" + strideW);
        }
        this.dilationH = rateH;
        this.dilationW = rateW;
        return this;
    }

    /**
     * Keras's {@code groups}: channels and filters split into {@code groups} groups, each group's
     * filters seeing only its channels (the kernel is [kh, kw, channels / groups, filters]); before
     * the layer is built.
     * @throws IllegalArgumentException unless groups >= 1 divides the filters
     */
    public Conv2D groups(int groups) {
        requireUnbuilt("groups");
        if (groups < 1 || filters % groups != 0) {
            throw new IllegalArgumentException("Conv2D groups must be >= 1 and divide the " + filters + " filters, got " + groups);
        }
        this.groups = groups;
        return this;
    }

    private int windowH() {
        return (kernelH - 1) * dilationH + 1;
    }

    private int windowW() {
        return (kernelW - 1) * dilationW + 1;
    }

    /** The kernel with rate - 1 zero rows and columns between its taps (itself at rate 1). */
    private Tensor dilated(Tensor k) {
        if (dilationH == 1 && dilationW == 1) {
            return k;
        }
        int[] s = k.shape();
        java.util.List<Tensor> rows = new java.util.ArrayList<>();
        for (int y = 0; y < kernelH; y++) {
            if (y > 0 && dilationH > 1) {
                rows.add(Tensor.full(k.device(), 0f, dilationH - 1, s[1], s[2], s[3]));
            }
            rows.add(k.slice(0, y, y + 1));
        }
        Tensor tall = Tensor.concat(rows, 0);
        java.util.List<Tensor> cols = new java.util.ArrayList<>();
        for (int x = 0; x < kernelW; x++) {
            if (x > 0 && dilationW > 1) {
                cols.add(Tensor.full(k.device(), 0f, windowH(), dilationW - 1, s[2], s[3]));
            }
            cols.add(tall.slice(1, x, x + 1));
        }
        return Tensor.concat(cols, 1);
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
        if (s[2] % groups != 0) {
            throw new IllegalArgumentException("Conv2D with " + groups + " groups needs channels divisible by them, got "
                    + s[2]);
        }
        Window2d g = Window2d.of(1, s[0], s[1], s[2], windowH(), windowW(), strideH, strideW, padding);
        return new int[] {g.outHeight(), g.outWidth(), filters};
    }

    @Override
    public Map<String, int[]> parameterShapes(int[] s) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("kernel", new int[] {kernelH, kernelW, s[2] / groups, filters});
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
        Tensor kernel = dilated(parameters().get("kernel"));
        if (groups > 1) {
            // each group: its channels against its filters, the outputs side by side
            int per = x.size(3) / groups;
            int perFilters = filters / groups;
            java.util.List<Tensor> parts = new java.util.ArrayList<>(groups);
            for (int g = 0; g < groups; g++) {
                parts.add(Functional.conv2d(x.slice(3, g * per, (g + 1) * per),
                        kernel.slice(3, g * perFilters, (g + 1) * perFilters), strideH, strideW, padding));
            }
            Tensor y = Tensor.concat(parts, 3);
            return activation.apply(useBias ? y.add(parameters().get("bias")) : y);
        }
        return convolve(x, kernel, useBias ? parameters().get("bias") : null, activation, strideH, strideW, padding);
    }

    /**
     * activation(conv2d(x, kernel) + bias) (bias null for none): one fused op for ReLU and linear,
     * the convolution then the bias and activation otherwise. Conv1D runs through it too.
     */
    static Tensor convolve(Tensor x, Tensor kernel, Tensor bias, Activation activation, int strideH, int strideW,
                           Window2d.Padding padding) {
        if (activation == Activation.RELU || activation == Activation.LINEAR) {
            return Functional.conv2d(x, kernel, bias, activation == Activation.RELU, strideH, strideW, padding);
        }
        Tensor y = Functional.conv2d(x, kernel, strideH, strideW, padding);
        return activation.apply(bias == null ? y : y.add(bias));
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
        c.put("dilation_rate", List.of(dilationH, dilationW));
        c.put("groups", groups);
        c.put("activation", activation.kerasName());
        c.put("use_bias", useBias);
        c.put("kernel_initializer", Initializer.describe(kernelInitializer));
        c.put("bias_initializer", Initializer.describe(biasInitializer));
        c.put("kernel_regularizer", LayerOptions.describe(kernelRegularizer));
        return c;
    }
}
