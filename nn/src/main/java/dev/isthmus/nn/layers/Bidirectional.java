package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras {@code Bidirectional(layer, merge_mode)}: the recurrent layer given runs forwards, and a
 * second one of the same configuration (its own weights) over the reversed sequence; their outputs
 * are merged by {@code "concat"} (the default, on the last axis), {@code "sum"}, {@code "mul"} or
 * {@code "ave"}. With {@code returnSequences} the backward layer's steps are put back in time order
 * before the merge, as Keras does; a mask is reversed with the sequence, so padded steps carry the
 * backward state too. Weights are the two layers', named {@code forward_NAME} and {@code backward_NAME}.
 */
public final class Bidirectional extends Layer {
    private static final List<String> MODES = List.of("concat", "sum", "mul", "ave");

    private final Layer forwardLayer;
    private final Layer backwardLayer;
    private final String mergeMode;

    /** Both directions of {@code layer}, concatenated. */
    public Bidirectional(Layer layer) {
        this(layer, "concat");
    }

    /**
     * @throws IllegalArgumentException for an unknown merge mode, a built layer, or one that is not a recurrent
     *     layer over [time, features]
     */
    public Bidirectional(Layer layer, String mergeMode) {
        if (!MODES.contains(mergeMode)) {
            throw new IllegalArgumentException("Bidirectional merge_mode must be one of " + MODES + ", got \"" + mergeMode + "\"");
        }
        if (!(layer instanceof LSTM || layer instanceof GRU || layer instanceof SimpleRNN)) {
            throw new IllegalArgumentException("Bidirectional wraps an LSTM, GRU or SimpleRNN, got " + layer.typeName());
        }
        if (layer.isBuilt()) {
            throw new IllegalArgumentException("Bidirectional needs an unbuilt layer (it builds both directions)");
        }
        this.forwardLayer = layer;
        this.backwardLayer = copy(layer);
        this.mergeMode = mergeMode;
    }

    /** A fresh layer of the same configuration, as Keras copies the forward layer for the backward one. */
    @SuppressWarnings("unchecked")
    private static Layer copy(Layer layer) {
        try {
            Object config = dev.isthmus.nn.io.Json.parse(dev.isthmus.nn.io.Json.write(layer.config()));
            return Layers.fromConfig(layer.typeName(), (Map<String, Object>) config);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The forwards layer (the one given). */
    public Layer forwardLayer() {
        return forwardLayer;
    }

    /** The backwards layer. */
    public Layer backwardLayer() {
        return backwardLayer;
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        int[] out = forwardLayer.computeOutputShape(s.clone());
        if (mergeMode.equals("concat")) {
            out[out.length - 1] *= 2;
        }
        return out;
    }

    @Override
    public Map<String, int[]> parameterShapes(int[] s) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        forwardLayer.parameterShapes(s.clone()).forEach((k, v) -> shapes.put("forward_" + k, v));
        backwardLayer.parameterShapes(s.clone()).forEach((k, v) -> shapes.put("backward_" + k, v));
        return shapes;
    }

    @Override
    protected void createParameters(int[] s, long seed, Map<String, Tensor> into) {
        forwardLayer.build(s.clone(), null, seed);
        backwardLayer.build(s.clone(), null, seed + 0x5DEECE66DL);
        forwardLayer.parameters().forEach((k, v) -> into.put("forward_" + k, v));
        backwardLayer.parameters().forEach((k, v) -> into.put("backward_" + k, v));
    }

    private boolean sequences() {
        return Boolean.TRUE.equals(forwardLayer.config().get("return_sequences"));
    }

    /** x with its time axis (axis 1) reversed. */
    static Tensor reversed(Tensor x) {
        int t = x.size(1);
        List<Tensor> steps = new ArrayList<>(t);
        for (int i = t - 1; i >= 0; i--) {
            steps.add(x.slice(1, i, i + 1));
        }
        return Tensor.concat(steps, 1);
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        return forward(x, null, training);
    }

    @Override
    protected Tensor forward(Tensor x, Tensor mask, boolean training) {
        Tensor ahead = forwardLayer.call(x, mask, training);
        Tensor back = backwardLayer.call(reversed(x), mask == null ? null : reversed(mask), training);
        if (sequences()) {
            back = reversed(back);
        }
        return switch (mergeMode) {
            case "concat" -> Tensor.concat(List.of(ahead, back), ahead.rank() - 1);
            case "sum" -> ahead.add(back);
            case "mul" -> ahead.mul(back);
            default -> ahead.add(back).mul(0.5f);
        };
    }

    @Override
    public Tensor outputMask(Tensor x, Tensor mask) {
        return sequences() ? mask : null;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("layer", Map.of("class_name", forwardLayer.typeName(), "config", forwardLayer.config()));
        c.put("merge_mode", mergeMode);
        return c;
    }
}
