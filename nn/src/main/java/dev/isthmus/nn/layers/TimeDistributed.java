package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras {@code TimeDistributed(layer)}: the same layer (one set of weights) applied to every step of
 * [batch, time, ...], as one batch of batch·time samples. Its weights are the inner layer's, by the
 * inner layer's names.
 */
public final class TimeDistributed extends Layer {
    private final Layer layer;

    /** @throws IllegalArgumentException if the layer is already built */
    public TimeDistributed(Layer layer) {
        if (layer.isBuilt()) {
            throw new IllegalArgumentException("TimeDistributed needs an unbuilt layer (it builds it for one step)");
        }
        this.layer = layer;
    }

    /** The layer applied at each step. */
    public Layer layer() {
        return layer;
    }

    private static int[] step(int[] s) {
        if (s.length < 2) {
            throw new IllegalArgumentException("TimeDistributed needs [time, ...] per sample, got " + Arrays.toString(s));
        }
        return Arrays.copyOfRange(s, 1, s.length);
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        int[] inner = layer.computeOutputShape(step(s));
        int[] out = new int[inner.length + 1];
        out[0] = s[0];
        System.arraycopy(inner, 0, out, 1, inner.length);
        return out;
    }

    @Override
    public Map<String, int[]> parameterShapes(int[] s) {
        return layer.parameterShapes(step(s));
    }

    @Override
    protected void createParameters(int[] s, long seed, Map<String, Tensor> into) {
        layer.build(step(s), null, seed);
        into.putAll(layer.parameters());
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        int n = x.size(0);
        int t = x.size(1);
        int[] flat = new int[x.rank() - 1];
        flat[0] = n * t;
        System.arraycopy(x.shape(), 2, flat, 1, x.rank() - 2);
        Tensor y = layer.call(x.reshape(flat), training);
        int[] out = new int[y.rank() + 1];
        out[0] = n;
        out[1] = t;
        System.arraycopy(y.shape(), 1, out, 2, y.rank() - 1);
        return y.reshape(out);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("layer", Map.of("class_name", layer.typeName(), "config", layer.config()));
        return c;
    }
}
