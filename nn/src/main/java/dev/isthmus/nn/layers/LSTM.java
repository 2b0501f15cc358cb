package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Functional;
import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras {@code LSTM}: gates in the order i, f, c, o; kernel [features, 4·units] Glorot uniform,
 * recurrent kernel [units, 4·units] orthogonal, bias zeros with the forget gate's part set to one
 * ({@code unit_forget_bias}). Input [batch, time, features]; output the last hidden state
 * [batch, units], or every step's [batch, time, units] with {@code returnSequences}. A mask from
 * {@code Embedding(maskZero)} makes padded steps carry the state unchanged (and, in sequences,
 * repeat the previous output, as Keras's default {@code zero_output_for_mask=False}).
 *
 * <p>Options, set before the layer is built, with Keras's names and defaults: initializers of the
 * kernel (Glorot uniform), recurrent kernel (orthogonal) and bias (zeros); {@code useBias} (true);
 * {@code unitForgetBias} (true: the forget gate's bias starts at one, whatever the bias
 * initializer); {@code activation} (tanh) and {@code recurrentActivation} (sigmoid); kernel and
 * recurrent-kernel regularizers. With the default activations the layer runs the backend's fused
 * LSTM (cuDNN or our kernels on CUDA); with any other activation it runs as a loop of tensor ops
 * over the steps, on every backend, since neither cuDNN nor the fused kernels know other
 * activations.
 */
public final class LSTM extends Layer {
    private final int units;
    private final boolean returnSequences;
    private final boolean returnState;
    private Initializer kernelInitializer = Initializer.glorotUniform();
    private Initializer recurrentInitializer = Initializer.orthogonal();
    private Initializer biasInitializer = Initializer.zeros();
    private boolean useBias = true;
    private boolean unitForgetBias = true;
    private Activation activation = Activation.TANH;
    private Activation recurrentActivation = Activation.SIGMOID;
    private Regularizer kernelRegularizer;
    private Regularizer recurrentRegularizer;

    /** Output, final hidden state and final cell state, as Keras's {@code return_state=True} gives. */
    public record Result(Tensor output, Tensor hidden, Tensor cell) {
    }

    /** An LSTM of {@code units} that returns the last hidden state. */
    public LSTM(int units) {
        this(units, false, false);
    }

    /** As {@link #LSTM(int)}; {@code returnSequences} returns every step's hidden state. */
    public LSTM(int units, boolean returnSequences) {
        this(units, returnSequences, false);
    }

    /**
     * {@code returnState} layers hand their states out through {@link #callWithState}; in a
     * {@code Sequential}, where one tensor flows between layers, they are rejected.
     */
    public LSTM(int units, boolean returnSequences, boolean returnState) {
        if (units <= 0) {
            throw new IllegalArgumentException("LSTM units must be > 0, got " + units);
        }
        this.units = units;
        this.returnSequences = returnSequences;
        this.returnState = returnState;
    }

    /** The size of the hidden and cell states. */
    public int units() {
        return units;
    }

    /** Sets the input kernel's initializer (Keras {@code kernel_initializer}). */
    public LSTM kernelInitializer(Initializer initializer) {
        requireUnbuilt("kernelInitializer");
        this.kernelInitializer = java.util.Objects.requireNonNull(initializer, "initializer");
        return this;
    }

    /** Sets the recurrent kernel's initializer (Keras {@code recurrent_initializer}). */
    public LSTM recurrentInitializer(Initializer initializer) {
        requireUnbuilt("recurrentInitializer");
        this.recurrentInitializer = java.util.Objects.requireNonNull(initializer, "initializer");
        return this;
    }

    /** Sets the bias's initializer (Keras {@code bias_initializer}); with unitForgetBias the forget part is still one. */
    public LSTM biasInitializer(Initializer initializer) {
        requireUnbuilt("biasInitializer");
        this.biasInitializer = java.util.Objects.requireNonNull(initializer, "initializer");
        return this;
    }

    /** Whether the gates have a bias (Keras {@code use_bias}, default true). */
    public LSTM useBias(boolean useBias) {
        requireUnbuilt("useBias");
        this.useBias = useBias;
        return this;
    }

    /** Whether the forget gate's bias starts at one (Keras {@code unit_forget_bias}, default true). */
    public LSTM unitForgetBias(boolean unitForgetBias) {
        requireUnbuilt("unitForgetBias");
        this.unitForgetBias = unitForgetBias;
        return this;
    }

    /** The cell input's and output's activation (Keras {@code activation}, default tanh). */
    public LSTM activation(Activation activation) {
        requireUnbuilt("activation");
        this.activation = java.util.Objects.requireNonNull(activation, "activation");
        return this;
    }

    /** The gates' activation (Keras {@code recurrent_activation}, default sigmoid). */
    public LSTM recurrentActivation(Activation activation) {
        requireUnbuilt("recurrentActivation");
        this.recurrentActivation = java.util.Objects.requireNonNull(activation, "activation");
        return this;
    }

    /** Adds {@code regularizer}'s penalty on the input kernel to the training loss; null for none. */
    public LSTM kernelRegularizer(Regularizer regularizer) {
        requireUnbuilt("kernelRegularizer");
        this.kernelRegularizer = regularizer;
        return this;
    }

    /** Adds {@code regularizer}'s penalty on the recurrent kernel to the training loss; null for none. */
    public LSTM recurrentRegularizer(Regularizer regularizer) {
        requireUnbuilt("recurrentRegularizer");
        this.recurrentRegularizer = regularizer;
        return this;
    }

    @Override
    protected Map<String, Regularizer> regularizers() {
        Map<String, Regularizer> r = new LinkedHashMap<>();
        if (kernelRegularizer != null) {
            r.put("kernel", kernelRegularizer);
        }
        if (recurrentRegularizer != null) {
            r.put("recurrent_kernel", recurrentRegularizer);
        }
        return r;
    }

    /** Whether the backend's fused LSTM (tanh and sigmoid built in) can run this layer. */
    private boolean fused() {
        return activation == Activation.TANH && recurrentActivation == Activation.SIGMOID;
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        if (s.length != 2) {
            throw new IllegalArgumentException("LSTM expects [time, features] per sample, got " + java.util.Arrays.toString(s));
        }
        return returnSequences ? new int[] {s[0], units} : new int[] {units};
    }

    @Override
    public Map<String, int[]> parameterShapes(int[] s) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("kernel", new int[] {s[1], 4 * units});
        shapes.put("recurrent_kernel", new int[] {units, 4 * units});
        if (useBias) {
            shapes.put("bias", new int[] {4 * units});
        }
        return shapes;
    }

    @Override
    protected void createParameters(int[] s, long seed, Map<String, Tensor> into) {
        Map<String, int[]> shapes = parameterShapes(s);
        into.put("kernel", kernelInitializer.create(shapes.get("kernel"), seed));
        into.put("recurrent_kernel", recurrentInitializer.create(shapes.get("recurrent_kernel"), seed + 1));
        if (useBias) {
            Tensor bias = biasInitializer.create(shapes.get("bias"), seed + 2);
            if (unitForgetBias) {
                // Keras: concat(init(units), ones(units), init(2 units)) — the forget part is one
                float[] b = bias.toArray();
                java.util.Arrays.fill(b, units, 2 * units, 1f);
                bias = Tensor.of(b, 4 * units);
            }
            into.put("bias", bias);
        }
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return forward(x, null, training);
    }

    @Override
    protected Tensor forward(Tensor x, Tensor mask, boolean training) {
        if (returnState) {
            throw new IllegalStateException("an LSTM with returnState gives three tensors; call callWithState(x, mask,"
                    + " training) instead of using it inside a Sequential");
        }
        return run(x, mask).output();
    }

    /** Runs the layer and returns its output together with the final hidden and cell states. */
    public Result callWithState(Tensor x, Tensor mask, boolean training) {
        checkInput(x);
        return run(x, mask);
    }

    private Result run(Tensor x, Tensor mask) {
        Tensor bias = useBias ? parameters().get("bias") : Tensor.full(x.device(), 0f, 4 * units);
        if (!fused()) {
            return runStepByStep(x, mask, bias);
        }
        Tensor hc = Functional.lstm(x, mask, parameters().get("kernel"), parameters().get("recurrent_kernel"), bias);
        int t = x.size(1);
        Tensor last = hc.slice(1, t - 1, t).reshape(x.size(0), 2 * units);
        Tensor hidden = last.slice(1, 0, units);
        Tensor cell = last.slice(1, units, 2 * units);
        Tensor output = returnSequences ? hc.slice(2, 0, units) : hidden;
        return new Result(output, hidden, cell);
    }

    /**
     * The LSTM as tensor ops, one step at a time, for activations the fused LSTM lacks. Keras's
     * equations: z = x_t · W + h · U + b split into i, f, g, o; c = f·c + i·g with gates through
     * the recurrent activation and g, c's output through the activation; h = o · act(c). A masked
     * step keeps the previous h and c.
     */
    private Result runStepByStep(Tensor x, Tensor mask, Tensor bias) {
        int n = x.size(0);
        int t = x.size(1);
        int f = x.size(2);
        Tensor projected = x.reshape(n * t, f).matmul(parameters().get("kernel")).add(bias).reshape(n, t, 4 * units);
        Tensor recurrent = parameters().get("recurrent_kernel");
        Tensor h = Tensor.full(x.device(), 0f, n, units);
        Tensor c = Tensor.full(x.device(), 0f, n, units);
        java.util.List<Tensor> outputs = new java.util.ArrayList<>(t);
        for (int s = 0; s < t; s++) {
            Tensor z = projected.slice(1, s, s + 1).reshape(n, 4 * units).add(h.matmul(recurrent));
            Tensor i = recurrentActivation.apply(z.slice(1, 0, units));
            Tensor fg = recurrentActivation.apply(z.slice(1, units, 2 * units));
            Tensor g = activation.apply(z.slice(1, 2 * units, 3 * units));
            Tensor o = recurrentActivation.apply(z.slice(1, 3 * units, 4 * units));
            Tensor cNext = fg.mul(c).add(i.mul(g));
            Tensor hNext = o.mul(activation.apply(cNext));
            if (mask != null) {
                Tensor m = mask.slice(1, s, s + 1).cast(dev.isthmus.nn.tensor.DType.FLOAT32);
                cNext = c.add(cNext.sub(c).mul(m));
                hNext = h.add(hNext.sub(h).mul(m));
            }
            h = hNext;
            c = cNext;
            if (returnSequences) {
                outputs.add(h.reshape(n, 1, units));
            }
        }
        Tensor output = returnSequences ? Tensor.concat(outputs, 1) : h;
        return new Result(output, h, c);
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        return returnSequences ? mask : null;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("units", units);
        c.put("return_sequences", returnSequences);
        c.put("return_state", returnState);
        c.put("activation", activation.kerasName());
        c.put("recurrent_activation", recurrentActivation.kerasName());
        c.put("use_bias", useBias);
        c.put("unit_forget_bias", unitForgetBias);
        c.put("kernel_initializer", Initializer.describe(kernelInitializer));
        c.put("recurrent_initializer", Initializer.describe(recurrentInitializer));
        c.put("bias_initializer", Initializer.describe(biasInitializer));
        c.put("kernel_regularizer", LayerOptions.describe(kernelRegularizer));
        c.put("recurrent_regularizer", LayerOptions.describe(recurrentRegularizer));
        return c;
    }
}
