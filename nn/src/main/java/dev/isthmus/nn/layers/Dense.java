package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras {@code Dense}: {@code activation(x · kernel + bias)} on the last axis. Kernel
 * [inputs, units] Glorot uniform, bias zeros.
 */
public final class Dense extends Layer {
    private final int units;
    private final Activation activation;
    private final boolean useBias;
    private final Initializer kernelInitializer;
    private final Initializer biasInitializer;

    public Dense(int units) {
        this(units, Activation.LINEAR);
    }

    public Dense(int units, Activation activation) {
        this(units, activation, true, Initializer.glorotUniform(), Initializer.zeros());
    }

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

    public int units() {
        return units;
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
        return c;
    }
}
