package dev.isthmus.bench.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.isthmus.nn.layers.Layer;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A built Isthmus {@link Sequential} rebuilt in PyTorch (through DJL's NDArray ops with autograd),
 * starting from a copy of its weights: the same layers, sizes and initial values, in PyTorch's own
 * layouts (NCHW images, [out, in] linear weights, one fused LSTM op). Where the two differ it is
 * in what PyTorch users write, not in the amount of arithmetic: a final softmax with
 * cross-entropy becomes log-softmax of logits; the Embedding's mask of token 0 is not applied.
 */
final class TorchModel implements TorchNet {
    private final List<UnaryOperator<NDArray>> inference = new ArrayList<>();
    private final List<UnaryOperator<NDArray>> training = new ArrayList<>();
    /** The trainable weights, in the order Isthmus lists them. */
    private final List<NDArray> parameters = new ArrayList<>();
    private final boolean classifier;

    TorchModel(Sequential model, boolean classifier, NDManager manager) {
        this.classifier = classifier;
        int[] chw = null; // set while activations are images, NCHW here and NHWC in Isthmus
        List<Layer> layers = model.layers();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            Map<String, Object> config = layer.config();
            Map<String, Tensor> weights = layer.parameters();
            boolean last = i == layers.size() - 1;
            switch (layer.typeName()) {
                case "Dense" -> {
                    Tensor kernel = weights.get("kernel");
                    int units = kernel.shape()[1];
                    // [in, units] to PyTorch's [units, in]; after an image's Flatten the rows come in NHWC
                    // order (h, w, c), and PyTorch's NCHW Flatten needs them as (c, h, w).
                    NDArray w = trainable(chw == null ? copy(manager, kernel, 1, 0)
                            : copy(manager, kernel.toArray(), new int[] {chw[1], chw[2], chw[0], units}, 3, 2, 0, 1)
                                    .reshape(units, -1));
                    chw = null;
                    NDArray b = weights.containsKey("bias") ? trainable(copy(manager, weights.get("bias"))) : null;
                    String activation = (String) config.get("activation");
                    boolean logits = last && classifier && activation.equals("softmax");
                    UnaryOperator<NDArray> linear = x -> x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
                    both(logits ? linear : then(linear, activation(activation)));
                }
                case "Conv2D" -> {
                    if (!config.get("strides").equals(List.of(1, 1)) || !config.get("padding").equals("valid")) {
                        throw new IllegalArgumentException("only stride-1 valid Conv2D is translated, got " + config);
                    }
                    NDArray w = trainable(copy(manager, weights.get("kernel"), 3, 2, 0, 1));
                    NDArray b = trainable(copy(manager, weights.get("bias")));
                    Shape one = new Shape(1, 1);
                    both(then(x -> x.getNDArrayInternal().convolution(x, w, b, one, new Shape(0, 0), one, 1).singletonOrThrow(),
                            activation((String) config.get("activation"))));
                    int[] out = layer.outputShape();
                    chw = new int[] {out[2], out[0], out[1]};
                }
                case "MaxPooling2D" -> {
                    Shape pool = shape(config.get("pool_size"));
                    Shape strides = shape(config.get("strides"));
                    both(x -> x.getNDArrayInternal().maxPool(pool, strides, new Shape(0, 0), false));
                    int[] out = layer.outputShape();
                    chw = new int[] {out[2], out[0], out[1]};
                }
                case "Flatten" -> both(x -> x.reshape(x.getShape().get(0), -1));
                case "Dropout" -> {
                    float rate = ((Number) config.get("rate")).floatValue();
                    training.add(x -> x.getNDArrayInternal().dropout(x, rate, true).singletonOrThrow());
                }
                case "Embedding" -> {
                    NDArray table = trainable(copy(manager, weights.get("embeddings")));
                    both(x -> x.getNDArrayInternal().embedding(x, table, SparseFormat.DENSE).singletonOrThrow());
                }
                case "LSTM" -> {
                    if (Boolean.TRUE.equals(config.get("return_sequences"))) {
                        throw new IllegalArgumentException("only an LSTM that returns its last state is translated");
                    }
                    NDArray wIh = trainable(copy(manager, weights.get("kernel"), 1, 0));
                    NDArray wHh = trainable(copy(manager, weights.get("recurrent_kernel"), 1, 0));
                    NDArray bIh = trainable(copy(manager, weights.get("bias")));
                    // PyTorch's LSTM adds two biases; Keras's (and ours) has one: the second stays zero and untrained.
                    NDArray bHh = bIh.zerosLike();
                    int units = (Integer) config.get("units");
                    both(x -> lstmLastState(x, new NDList(wIh, wHh, bIh, bHh), units));
                }
                default -> throw new IllegalArgumentException("no PyTorch translation for layer " + layer.typeName());
            }
        }
    }

    /** Forward pass to the model's output (logits for a classifier). */
    NDArray forward(NDArray x, boolean train) {
        NDArray h = x;
        for (UnaryOperator<NDArray> f : train ? training : inference) {
            h = f.apply(h);
        }
        return h;
    }

    /** Mean cross-entropy of int64 class ids, or mean squared error, as the Isthmus workload's loss. */
    @Override
    public NDArray loss(NDArray x, NDArray y, boolean train) {
        NDArray out = forward(x, train);
        if (classifier) {
            return out.logSoftmax(1).gather(y.reshape(-1, 1), 1).mean().neg();
        }
        return out.sub(y).square().mean();
    }

    @Override
    public List<NDArray> parameters() {
        return parameters;
    }

    private static NDArray lstmLastState(NDArray x, NDList weights, int units) {
        NDManager m = x.getManager();
        long n = x.getShape().get(0);
        NDList state = new NDList(m.zeros(new Shape(1, n, units)), m.zeros(new Shape(1, n, units)));
        NDArrayEx ex = x.getNDArrayInternal();
        NDList out = ex.lstm(x, state, weights, true, 1, 0, true, false, true);
        return out.get(1).squeeze(0);
    }

    private void both(UnaryOperator<NDArray> f) {
        inference.add(f);
        training.add(f);
    }

    private NDArray trainable(NDArray a) {
        a.setRequiresGradient(true);
        parameters.add(a);
        return a;
    }

    private static UnaryOperator<NDArray> then(UnaryOperator<NDArray> f, UnaryOperator<NDArray> g) {
        return x -> g.apply(f.apply(x));
    }

    private static UnaryOperator<NDArray> activation(String name) {
        return switch (name) {
            case "linear" -> x -> x;
            case "relu" -> x -> x.getNDArrayInternal().relu();
            case "softmax" -> x -> x.softmax(-1);
            default -> throw new IllegalArgumentException("no PyTorch translation for activation " + name);
        };
    }

    private static Shape shape(Object pair) {
        List<?> p = (List<?>) pair;
        return new Shape(((Number) p.get(0)).longValue(), ((Number) p.get(1)).longValue());
    }

    /** A host copy of {@code t} with its axes in the order {@code axes} (none: as they are), contiguous. */
    static NDArray copy(NDManager manager, Tensor t, int... axes) {
        return copy(manager, t.toArray(), t.shape(), axes);
    }

    private static NDArray copy(NDManager manager, float[] values, int[] shape, int... axes) {
        int rank = shape.length;
        if (axes.length == 0) {
            return manager.create(values, new Shape(longs(shape)));
        }
        int[] stride = new int[rank];
        for (int a = rank - 1, s = 1; a >= 0; s *= shape[a], a--) {
            stride[a] = s;
        }
        int[] outShape = new int[rank];
        for (int a = 0; a < rank; a++) {
            outShape[a] = shape[axes[a]];
        }
        float[] out = new float[values.length];
        int[] index = new int[rank];
        for (int o = 0; o < out.length; o++) {
            int from = 0;
            for (int a = 0; a < rank; a++) {
                from += index[a] * stride[axes[a]];
            }
            out[o] = values[from];
            for (int a = rank - 1; a >= 0 && ++index[a] == outShape[a]; a--) {
                index[a] = 0;
            }
        }
        return manager.create(out, new Shape(longs(outShape)));
    }

    private static long[] longs(int[] v) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            l[i] = v[i];
        }
        return l;
    }
}
