package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras {@code SimpleRNN(units, activation="tanh", use_bias=True, return_sequences=False)}:
 * {@code h(t) = activation(x(t) · kernel + h(t-1) · recurrent_kernel + bias)} from a zero state.
 * Kernel [features, units] Glorot uniform, recurrent kernel [units, units] orthogonal, bias zeros;
 * a mask makes padded steps carry the state (and repeat the previous output), as Keras. A loop of
 * tensor operations over the steps, so it runs and differentiates on every backend.
 */
public final class SimpleRNN extends Layer {
    private final int units;
    private final Activation activation;
    private final boolean useBias;
    private final boolean returnSequences;

    /** {@code units} tanh units returning the last state. */
    public SimpleRNN(int units) {
        this(units, Activation.TANH, true, false);
    }

    /** @throws IllegalArgumentException if units is not positive */
    public SimpleRNN(int units, Activation activation, boolean useBias, boolean returnSequences) {
        if (units <= 0) {
            throw new IllegalArgumentException("SimpleRNN needs units > 0, got " + units);
        }
        this.units = units;
        this.activation = activation;
        this.useBias = useBias;
        this.returnSequences = returnSequences;
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        return RecurrentLoop.outputShape("SimpleRNN", s, units, returnSequences);
    }

    @Override
    public Map<String, int[]> parameterShapes(int[] s) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("kernel", new int[] {s[1], units});
        shapes.put("recurrent_kernel", new int[] {units, units});
        if (useBias) {
            shapes.put("bias", new int[] {units});
        }
        return shapes;
    }

    @Override
    protected void createParameters(int[] s, long seed, Map<String, Tensor> into) {
        Map<String, int[]> shapes = parameterShapes(s);
        into.put("kernel", Initializer.glorotUniform().create(shapes.get("kernel"), seed));
        into.put("recurrent_kernel", Initializer.orthogonal().create(shapes.get("recurrent_kernel"), seed + 1));
        if (useBias) {
            into.put("bias", Initializer.zeros().create(shapes.get("bias"), seed + 2));
        }
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return forward(x, null, training);
    }

    @Override
    protected Tensor forward(Tensor x, Tensor mask, boolean training) {
        Tensor kernel = parameters().get("kernel");
        Tensor recurrent = parameters().get("recurrent_kernel");
        Tensor bias = useBias ? parameters().get("bias") : null;
        return RecurrentLoop.run(x, mask, units, returnSequences, (input, h) -> {
            Tensor z = input.matmul(kernel).add(h.matmul(recurrent));
            return activation.apply(bias == null ? z : z.add(bias));
        });
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        return returnSequences ? mask : null;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("units", units);
        c.put("activation", activation.kerasName());
        c.put("use_bias", useBias);
        c.put("return_sequences", returnSequences);
        return c;
    }
}
