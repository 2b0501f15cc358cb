package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras {@code GRU(units)} with its defaults ({@code reset_after=True}, tanh, sigmoid gates):
 * gates in the order z, r, h; {@code z = σ(x·Wz + bz + h·Uz + b'z)}, {@code r = σ(x·Wr + br + h·Ur + b'r)},
 * {@code ĥ = tanh(x·Wh + bh + r ⊙ (h·Uh + b'h))} (the reset applied after the recurrent product),
 * {@code h(t) = z ⊙ h(t-1) + (1 - z) ⊙ ĥ}. Kernel [features, 3·units] Glorot uniform, recurrent
 * kernel [units, 3·units] orthogonal, bias [2, 3·units] zeros (input bias, then recurrent bias);
 * a mask makes padded steps carry the state, as Keras. A loop of tensor operations over the steps.
 */
public final class GRU extends Layer {
    private final int units;
    private final boolean returnSequences;

    /** {@code units} units returning the last state. */
    public GRU(int units) {
        this(units, false);
    }

    /** @throws IllegalArgumentException if units is not positive */
    public GRU(int units, boolean returnSequences) {
        if (units <= 0) {
            throw new IllegalArgumentException("GRU needs units > 0, got " + units);
        }
        this.units = units;
        this.returnSequences = returnSequences;
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        return RecurrentLoop.outputShape("GRU", s, units, returnSequences);
    }

    @Override
    public Map<String, int[]> parameterShapes(int[] s) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("kernel", new int[] {s[1], 3 * units});
        shapes.put("recurrent_kernel", new int[] {units, 3 * units});
        shapes.put("bias", new int[] {2, 3 * units});
        return shapes;
    }

    @Override
    protected void createParameters(int[] s, long seed, Map<String, Tensor> into) {
        Map<String, int[]> shapes = parameterShapes(s);
        into.put("kernel", Initializer.glorotUniform().create(shapes.get("kernel"), seed));
        into.put("recurrent_kernel", Initializer.orthogonal().create(shapes.get("recurrent_kernel"), seed + 1));
        into.put("bias", Initializer.zeros().create(shapes.get("bias"), seed + 2));
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return forward(x, null, training);
    }

    @Override
    protected Tensor forward(Tensor x, Tensor mask, boolean training) {
        int u = units;
        int n = x.size(0);
        int t = x.size(1);
        Tensor bias = parameters().get("bias");
        Tensor inputBias = bias.slice(0, 0, 1).reshape(3 * u);
        Tensor recurrentBias = bias.slice(0, 1, 2).reshape(3 * u);
        Tensor recurrent = parameters().get("recurrent_kernel");
        // every step's input projection at once, then the recurrence step by step
        Tensor projected = x.reshape(n * t, x.size(2)).matmul(parameters().get("kernel")).add(inputBias).reshape(n, t, 3 * u);
        return RecurrentLoop.run(projected, mask, u, returnSequences, (xp, h) -> {
            Tensor hp = h.matmul(recurrent).add(recurrentBias);
            Tensor z = xp.slice(1, 0, u).add(hp.slice(1, 0, u)).sigmoid();
            Tensor r = xp.slice(1, u, 2 * u).add(hp.slice(1, u, 2 * u)).sigmoid();
            Tensor candidate = xp.slice(1, 2 * u, 3 * u).add(r.mul(hp.slice(1, 2 * u, 3 * u))).tanh();
            return z.mul(h).add(z.neg().add(1f).mul(candidate));
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
        c.put("return_sequences", returnSequences);
        c.put("reset_after", true);
        return c;
    }
}
