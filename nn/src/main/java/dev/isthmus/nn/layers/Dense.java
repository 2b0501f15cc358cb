package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras {@code Dense}: {@code activation(x · kernel + bias)} on the last axis. Kernel
 * [inputs, units] Glorot uniform, bias zeros (Keras's defaults); other initializers and a kernel
 * regularizer are set before the layer is built:
 * {@code new Dense(64, Activation.RELU).kernelInitializer(Initializer.of("he_normal")).kernelRegularizer(Regularizers.l2(1e-4))}.
 */
public final class Dense extends Layer {
    private final int units;
    private final Activation activation;
    private final boolean useBias;
    private Initializer kernelInitializer;
    private Initializer biasInitializer;
    private Regularizer kernelRegularizer;

    /** A linear layer of {@code units} outputs with a bias. */
    public Dense(int units) {
        this(units, Activation.LINEAR);
    }

    /** {@code units} outputs through {@code activation}, with a bias. */
    public Dense(int units, Activation activation) {
        this(units, activation, true, Initializer.glorotUniform(), Initializer.zeros());
    }

    /** Every option: Keras's {@code Dense(units, activation, use_bias, kernel_initializer, bias_initializer)}. */
    public Dense(int units, Activation activation, boolean useBias, Initializer kernelInitializer,
                 Initializer biasInitializer) {
        if (units <= 0) {
            throw new IllegalArgumentException("Dense units must be > 0, got " + units);
        }
        this.units = units;
        this.activation = activation;
        this.useBias = useBias;
        this.kernelInitializer = kernelInitializer;
        this.biasInitializer = biasInitializer;
    }

    /** The number of outputs. */
    public int units() {
        return units;
    }

    /** Sets the kernel's initializer (Keras {@code kernel_initializer}); before the layer is built. */
    public Dense kernelInitializer(Initializer initializer) {
        requireUnbuilt("kernelInitializer");
        this.kernelInitializer = java.util.Objects.requireNonNull(initializer, "initializer");
        return this;
    }

    /** Sets the bias's initializer (Keras {@code bias_initializer}); before the layer is built. */
    public Dense biasInitializer(Initializer initializer) {
        requireUnbuilt("biasInitializer");
        this.biasInitializer = java.util.Objects.requireNonNull(initializer, "initializer");
        return this;
    }

    /** Adds {@code regularizer}'s penalty on the kernel to the training loss (Keras {@code kernel_regularizer}); null for none. */
    public Dense kernelRegularizer(Regularizer regularizer) {
        requireUnbuilt("kernelRegularizer");
        this.kernelRegularizer = regularizer;
        return this;
    }

    @Override
    protected Map<String, Regularizer> regularizers() {
        return kernelRegularizer == null ? Map.of() : Map.of("kernel", kernelRegularizer);
    }

    @Override
    public int[] computeOutputShape(int[] inputShape) {
        if (inputShape.length < 1) {
            throw new IllegalArgumentException("Dense needs inputs with at least one axis besides the batch");
        }
        int[] out = inputShape.clone();
        out[out.length - 1] = units;
        return out;
    }

    @Override
    public Map<String, int[]> parameterShapes(int[] inputShape) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("kernel", new int[] {inputShape[inputShape.length - 1], units});
        if (useBias) {
            shapes.put("bias", new int[] {units});
        }
        return shapes;
    }

    @Override
    protected void createParameters(int[] inputShape, long seed, Map<String, Tensor> into) {
        Map<String, int[]> shapes = parameterShapes(inputShape);
        into.put("kernel", kernelInitializer.create(shapes.get("kernel"), seed));
        if (useBias) {
            into.put("bias", biasInitializer.create(shapes.get("bias"), seed + 1));
        }
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        Tensor kernel = parameters().get("kernel");
        Tensor y;
        if (x.rank() == 2) {
            y = x.matmul(kernel);
        } else {
            int[] s = x.shape();
            int[] out = s.clone();
            out[out.length - 1] = units;
            y = x.reshape(-1, s[s.length - 1]).matmul(kernel).reshape(out);
        }
        if (useBias) {
            y = y.add(parameters().get("bias"));
        }
        return activation.apply(y);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("units", units);
        c.put("activation", activation.kerasName());
        c.put("use_bias", useBias);
        c.put("kernel_initializer", Initializer.describe(kernelInitializer));
        c.put("bias_initializer", Initializer.describe(biasInitializer));
        c.put("kernel_regularizer", LayerOptions.describe(kernelRegularizer));
        return c;
    }
}
