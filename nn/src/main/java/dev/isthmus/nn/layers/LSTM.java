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
 */
public final class LSTM extends Layer {
    private final int units;
    private final boolean returnSequences;
    private final boolean returnState;

    /** Output, final hidden state and final cell state, as Keras's {@code return_state=True} gives. */
    public record Result(Tensor output, Tensor hidden, Tensor cell) {
    }

    public LSTM(int units) {
        this(units, false, false);
    }

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

    public int units() {
        return units;
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
        shapes.put("bias", new int[] {4 * units});
        return shapes;
    }

    @Override
    protected void createParameters(int[] s, long seed, Map<String, Tensor> into) {
        Map<String, int[]> shapes = parameterShapes(s);
        into.put("kernel", Tensor.glorotUniform(shapes.get("kernel"), seed));
        into.put("recurrent_kernel", Initializer.orthogonal().create(shapes.get("recurrent_kernel"), seed + 1));
        float[] bias = new float[4 * units];
        java.util.Arrays.fill(bias, units, 2 * units, 1f);
        into.put("bias", Tensor.of(bias, 4 * units));
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
        Tensor hc = Functional.lstm(x, mask, parameters().get("kernel"), parameters().get("recurrent_kernel"),
                parameters().get("bias"));
        int t = x.size(1);
        Tensor last = hc.slice(1, t - 1, t).reshape(x.size(0), 2 * units);
        Tensor hidden = last.slice(1, 0, units);
        Tensor cell = last.slice(1, units, 2 * units);
        Tensor output = returnSequences ? hc.slice(2, 0, units) : hidden;
        return new Result(output, hidden, cell);
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
        return c;
    }
}
