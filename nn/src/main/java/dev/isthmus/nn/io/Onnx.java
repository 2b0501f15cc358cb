package dev.isthmus.nn.io;

import com.google.protobuf.CodedOutputStream;
import dev.isthmus.nn.backend.Window2d;
import dev.isthmus.nn.layers.Layer;
import dev.isthmus.nn.layers.SymbolicTensor;
import dev.isthmus.nn.model.Model;
import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Export of a built {@link Sequential} to an ONNX model (opset {@value #OPSET}, IR version
 * {@value #IR_VERSION}), written in the protobuf wire format field by field as the ONNX
 * specification numbers them ({@code onnx.proto}), with protobuf-java's {@link CodedOutputStream}.
 *
 * <p>The graph takes what the Isthmus model takes: one input named {@code input} with a dynamic
 * batch axis ({@code batch}) and the model's input shape (NHWC images; int32 token ids before an
 * Embedding), and gives one output named {@code output} as the model's {@code predict}. Layers:
 * Dense (MatMul, Add), Conv2D and MaxPooling2D (NCHW Conv and MaxPool between two Transposes,
 * TensorFlow-style "same" padding written as explicit pads), Flatten, Dropout (nothing: inference),
 * Embedding (Gather), GRU (reset_after as linear_before_reset), BatchNormalization (inference),
 * global average and max pooling, LSTM (ONNX's LSTM, gates reordered from Keras's i, f, c, o to ONNX's i, o, f,
 * c; after an Embedding with {@code maskZero} the sequence lengths are counted from the ids, which
 * gives Keras's result when the padding is trailing, as {@code Sequences.pad(..., Padding.POST)}
 * makes it) and the activations linear, relu, sigmoid, tanh, softmax, leaky_relu. Any other layer or option is
 * refused with an {@link IllegalArgumentException} naming it.
 */
public final class Onnx {
    /** The operator set the graph is written for. */
    public static final int OPSET = 17;
    /** The ONNX IR version of the file (8: what opset 17 needs, read by ONNX Runtime 1.10 and later). */
    public static final int IR_VERSION = 8;

    private static final int FLOAT = 1;
    private static final int INT32 = 6;
    private static final int INT64 = 7;

    private Onnx() {
    }

    /** Writes {@code model} (built) as an ONNX file at {@code path}, replacing it atomically. */
    public static void export(Model model, Path path) throws IOException {
        AtomicFiles.write(path, toBytes(model));
    }

    /** The ONNX model of {@code model} (built) as bytes. */
    public static byte[] toBytes(Model model) {
        List<SymbolicTensor> inputs = model.inputs();
        List<SymbolicTensor> outputs = model.outputs();
        if (inputs == null || outputs == null || model.layers().isEmpty() || model.layers().getFirst().inputShape() == null) {
            throw new IllegalStateException("only a built model can be exported: call build(inputShape) first");
        }
        Graph g = new Graph();
        Map<SymbolicTensor, String> values = new IdentityHashMap<>();
        // per value: the name of its sequence lengths, where an Embedding's maskZero masks it
        Map<SymbolicTensor, String> lengths = new IdentityHashMap<>();
        List<String> inputNames = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String name = inputs.size() == 1 ? "input" : inputs.get(i).inputName() != null ? inputs.get(i).inputName()
                    : "input_" + i;
            values.put(inputs.get(i), name);
            inputNames.add(name);
        }
        // inputs read by an embedding take int32 ids (a Sequential's input is float32 whatever it holds)
        Set<SymbolicTensor> ids = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (SymbolicTensor node : order(outputs)) {
            if (values.containsKey(node)) {
                continue;
            }
            String kind = node.layer().typeName();
            if ((kind.equals("Embedding") || kind.equals("TokenAndPositionEmbedding")) && node.inbound().getFirst().isInput()) {
                ids.add(node.inbound().getFirst());
            }
            Layer layer = node.layer();
            List<String> in = new ArrayList<>();
            String mask = null;
            for (SymbolicTensor t : node.inbound()) {
                in.add(values.get(t));
                mask = mask == null ? lengths.get(t) : mask;
            }
            String name = model.layerNames().get(model.layers().indexOf(layer));
            String type = layer.typeName();
            if (mask != null && !MASK_AWARE.contains(type)) {
                throw new IllegalArgumentException("ONNX export: layer " + type + " (" + name + ") takes a masked "
                        + "input; only Dropout, Activation, Dense, LSTM and GRU do in an export");
            }
            Out out = layer(g, layer, name, node.inbound(), in, mask);
            values.put(node, out.value());
            if (out.lengths() != null) {
                lengths.put(node, out.lengths());
            }
        }
        List<String> outputNames = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            String name = outputs.size() == 1 ? "output" : "output_" + i;
            g.rename(values.get(outputs.get(i)), name);
            outputNames.add(name);
        }
        return g.model(inputs, inputNames, ids, outputs, outputNames);
    }

    private static final Set<String> MASK_AWARE = Set.of("Dropout", "SpatialDropout1D", "Activation", "Dense", "LSTM",
            "GRU");

    /** A layer call's result: its value's name, and its sequence lengths when it carries a mask. */
    private record Out(String value, String lengths) {
    }

    /** The graph's values in an order where each comes after what it reads (depth first from the outputs). */
    private static List<SymbolicTensor> order(List<SymbolicTensor> outputs) {
        List<SymbolicTensor> order = new ArrayList<>();
        Set<SymbolicTensor> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        java.util.ArrayDeque<Object[]> stack = new java.util.ArrayDeque<>();
        for (SymbolicTensor o : outputs) {
            stack.push(new Object[] {o, 0});
            while (!stack.isEmpty()) {
                Object[] top = stack.peek();
                SymbolicTensor t = (SymbolicTensor) top[0];
                int next = (Integer) top[1];
                if (next == 0 && seen.contains(t)) {
                    stack.pop();
                    continue;
                }
                if (next < t.inbound().size()) {
                    top[1] = next + 1;
                    SymbolicTensor child = t.inbound().get(next);
                    if (!seen.contains(child)) {
                        stack.push(new Object[] {child, 0});
                    }
                } else {
                    stack.pop();
                    if (seen.add(t)) {
                        order.add(t);
                    }
                }
            }
        }
        return order;
    }

    private static Out layer(Graph g, Layer layer, String name, List<SymbolicTensor> inbound, List<String> in,
                             String mask) {
        Map<String, Object> c = layer.config();
        Map<String, Tensor> w = layer.parameters();
        String type = layer.typeName();
        String x = in.getFirst();
        int[] inShape = inbound.getFirst().shape();
        switch (type) {
            case "Dense" -> {
                x = g.node("MatMul", List.of(x, g.init(w.get("kernel"))), Map.of());
                if (Boolean.TRUE.equals(c.get("use_bias"))) {
                    x = g.node("Add", List.of(x, g.init(w.get("bias"))), Map.of());
                }
                return new Out(activation(g, x, (String) c.get("activation"), type), mask);
            }
            case "Conv2D" -> {
                int[] k = pair(c.get("kernel_size"));
                int[] s = pair(c.get("strides"));
                int[] d = pair(c.get("dilation_rate"));
                long[] pads = pads((String) c.get("padding"), inShape, new int[] {(k[0] - 1) * d[0] + 1, (k[1] - 1) * d[1] + 1}, s);
                List<String> inputs = new ArrayList<>(List.of(nchw(g, x), g.init(w.get("kernel"), 3, 2, 0, 1)));
                if (Boolean.TRUE.equals(c.get("use_bias"))) {
                    inputs.add(g.init(w.get("bias")));
                }
                String y = g.node("Conv", inputs, Map.of("kernel_shape", longs(k), "strides", longs(s),
                        "dilations", longs(d), "group", (long) (Integer) c.get("groups"), "pads", pads));
                return new Out(activation(g, nhwc(g, y), (String) c.get("activation"), type), null);
            }
            case "MaxPooling2D" -> {
                int[] k = pair(c.get("pool_size"));
                int[] s = pair(c.get("strides"));
                long[] pads = pads((String) c.get("padding"), inShape, k, s);
                return new Out(nhwc(g, g.node("MaxPool", List.of(nchw(g, x)), Map.of("kernel_shape", longs(k),
                        "strides", longs(s), "pads", pads))), null);
            }
            case "Flatten" -> {
                return new Out(g.node("Flatten", List.of(x), Map.of("axis", 1L)), null);
            }
            case "Activation" -> {
                return new Out(activation(g, x, (String) c.get("activation"), type), mask);
            }
            case "Dropout", "SpatialDropout1D" -> {
                return new Out(x, mask); // inference: the identity
            }
            case "Embedding" -> {
                String lengths = null;
                if (Boolean.TRUE.equals(c.get("mask_zero"))) {
                    // the lengths of trailing-padded rows: how many ids are not 0
                    String padding = g.node("Equal", List.of(x, g.constInt32(0)), Map.of());
                    String notPadding = g.node("Not", List.of(padding), Map.of());
                    String real = g.node("Cast", List.of(notPadding), Map.of("to", (long) INT32));
                    lengths = g.node("ReduceSum", List.of(real, g.constInt64s(1)), Map.of("keepdims", 0L));
                }
                return new Out(g.node("Gather", List.of(g.init(w.get("embeddings")), x), Map.of("axis", 0L)), lengths);
            }
            case "TokenAndPositionEmbedding" -> {
                if (inShape.length == 2) {
                    // its second use, on hidden states [time, dim]: the tied output: hidden states times the token table, transposed
                    String table = g.init(w.get("token_embeddings"));
                    return new Out(g.node("MatMul", List.of(x, g.node("Transpose", List.of(table),
                            Map.of("perm", new long[] {1, 0}))), Map.of()), null);
                }
                int t = inShape[0];
                float[] positions = w.get("position_embeddings").toArray();
                int dim = (Integer) c.get("embedding_dim");
                String tokens = g.node("Gather", List.of(g.init(w.get("token_embeddings")), x), Map.of("axis", 0L));
                return new Out(g.node("Add", List.of(tokens, g.init(Arrays.copyOf(positions, t * dim),
                        new long[] {t, dim})), Map.of()), null);
            }
            case "LayerNormalization" -> {
                int dim = inShape[inShape.length - 1];
                String gamma = w.containsKey("gamma") ? g.init(w.get("gamma")) : g.init(filled(dim, 1f), new long[] {dim});
                String beta = w.containsKey("beta") ? g.init(w.get("beta")) : g.init(filled(dim, 0f), new long[] {dim});
                return new Out(g.node("LayerNormalization", List.of(x, gamma, beta), Map.of("axis", -1L, "epsilon",
                        ((Number) c.get("epsilon")).floatValue())), null);
            }
            case "MultiHeadAttention" -> {
                return new Out(attention(g, c, w, inbound, in), null);
            }
            case "Add" -> {
                String sum = x;
                for (int i = 1; i < in.size(); i++) {
                    sum = g.node("Add", List.of(sum, in.get(i)), Map.of());
                }
                return new Out(sum, null);
            }
            case "Multiply", "Average" -> {
                String r = x;
                for (int i = 1; i < in.size(); i++) {
                    r = g.node(type.equals("Multiply") ? "Mul" : "Add", List.of(r, in.get(i)), Map.of());
                }
                if (type.equals("Average")) {
                    r = g.node("Div", List.of(r, g.init(new float[] {in.size()}, new long[0])), Map.of());
                }
                return new Out(r, null);
            }
            case "Subtract" -> {
                return new Out(g.node("Sub", List.of(x, in.get(1)), Map.of()), null);
            }
            case "Concatenate" -> {
                return new Out(g.node("Concat", in, Map.of("axis", (long) (Integer) c.get("axis"))), null);
            }
            case "LSTM" -> {
                return new Out(lstm(g, c, w, x, mask), null);
            }
            case "GRU" -> {
                return new Out(gru(g, c, w, inShape, x, mask), null);
            }
            case "BatchNormalization" -> {
                // inference: (x - moving mean) / sqrt(moving variance + epsilon) * gamma + beta, as the layer computes it
                float eps = ((Number) c.get("epsilon")).floatValue();
                String y = g.node("Div", List.of(g.node("Sub", List.of(x, g.init(w.get("moving_mean"))), Map.of()),
                        g.node("Sqrt", List.of(g.node("Add", List.of(g.init(w.get("moving_variance")),
                                g.init(new float[] {eps}, new long[0])), Map.of())), Map.of())), Map.of());
                if (w.containsKey("gamma")) {
                    y = g.node("Mul", List.of(y, g.init(w.get("gamma"))), Map.of());
                }
                if (w.containsKey("beta")) {
                    y = g.node("Add", List.of(y, g.init(w.get("beta"))), Map.of());
                }
                return new Out(y, null);
            }
            case "GlobalAveragePooling2D", "GlobalMaxPooling2D", "GlobalAveragePooling1D", "GlobalMaxPooling1D" -> {
                long[] axes = type.endsWith("2D") ? new long[] {1, 2} : new long[] {1};
                return new Out(g.node(type.startsWith("GlobalAverage") ? "ReduceMean" : "ReduceMax", List.of(x),
                        Map.of("axes", axes, "keepdims", 0L)), null);
            }
            default -> throw new IllegalArgumentException("ONNX export: layer " + type + " (" + name + ") is not "
                    + "supported; supported: Dense, Conv2D, MaxPooling2D, Flatten, Dropout, Embedding, LSTM, "
                    + "GRU, BatchNormalization, Activation, global pooling, TokenAndPositionEmbedding, LayerNormalization, "
                    + "MultiHeadAttention, Add, Subtract, Multiply, Average, Concatenate");
        }
    }

    /**
     * Multi-head attention as primitive ops: the three projections (MatMul, Add), heads split by
     * Reshape and Transpose, scores scaled by 1/sqrt(keyDim), the causal mask added as a constant
     * bias (-1e9 above the diagonal, as the layer adds it), Softmax, the weighted values and the
     * output projection.
     */
    private static String attention(Graph g, Map<String, Object> c, Map<String, Tensor> w, List<SymbolicTensor> inbound,
                                    List<String> in) {
        int heads = (Integer) c.get("num_heads");
        int keyDim = (Integer) c.get("key_dim");
        boolean bias = Boolean.TRUE.equals(c.get("use_bias"));
        String query = in.getFirst();
        String value = in.size() > 1 ? in.get(1) : query;
        String key = in.size() > 2 ? in.get(2) : value;
        int tq = inbound.getFirst().shape()[0];
        int tv = (in.size() > 1 ? inbound.get(1) : inbound.getFirst()).shape()[0];
        String split = g.constInt64s(0, 0, heads, keyDim);
        String q = g.node("Transpose", List.of(g.node("Reshape", List.of(project(g, w, "query", query, bias), split),
                Map.of())), Map.of("perm", new long[] {0, 2, 1, 3}));
        String k = g.node("Transpose", List.of(g.node("Reshape", List.of(project(g, w, "key", key, bias), split),
                Map.of())), Map.of("perm", new long[] {0, 2, 3, 1}));
        String v = g.node("Transpose", List.of(g.node("Reshape", List.of(project(g, w, "value", value, bias), split),
                Map.of())), Map.of("perm", new long[] {0, 2, 1, 3}));
        String scores = g.node("Mul", List.of(g.node("MatMul", List.of(q, k), Map.of()),
                g.init(new float[] {(float) (1 / Math.sqrt(keyDim))}, new long[0])), Map.of());
        if (Boolean.TRUE.equals(c.get("use_causal_mask"))) {
            float[] later = new float[tq * tv];
            for (int i = 0; i < tq; i++) {
                for (int j = i + 1; j < tv; j++) {
                    later[i * tv + j] = -1e9f;
                }
            }
            scores = g.node("Add", List.of(scores, g.init(later, new long[] {1, 1, tq, tv})), Map.of());
        }
        String weights = g.node("Softmax", List.of(scores), Map.of("axis", -1L));
        String attended = g.node("Reshape", List.of(g.node("Transpose", List.of(g.node("MatMul", List.of(weights, v),
                Map.of())), Map.of("perm", new long[] {0, 2, 1, 3})), g.constInt64s(0, 0, (long) heads * keyDim)), Map.of());
        Tensor wo = w.get("output_kernel");
        int d = wo.shape()[2];
        String out = g.node("MatMul", List.of(attended, g.init(wo.toArray(), new long[] {(long) heads * keyDim, d})),
                Map.of());
        return bias ? g.node("Add", List.of(out, g.init(w.get("output_bias"))), Map.of()) : out;
    }

    private static String project(Graph g, Map<String, Tensor> w, String name, String x, boolean bias) {
        Tensor kernel = w.get(name + "_kernel");
        int[] s = kernel.shape();
        String y = g.node("MatMul", List.of(x, g.init(kernel.toArray(), new long[] {s[0], (long) s[1] * s[2]})), Map.of());
        if (!bias) {
            return y;
        }
        return g.node("Add", List.of(y, g.init(w.get(name + "_bias").toArray(), new long[] {(long) s[1] * s[2]})), Map.of());
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    private static String lstm(Graph g, Map<String, Object> c, Map<String, Tensor> w, String x, String lengths) {
        if (!"tanh".equals(c.get("activation")) || !"sigmoid".equals(c.get("recurrent_activation"))) {
            throw new IllegalArgumentException("ONNX export: LSTM with activation " + c.get("activation")
                    + " and recurrent_activation " + c.get("recurrent_activation")
                    + " is not supported (only Keras's defaults, tanh and sigmoid)");
        }
        boolean sequences = Boolean.TRUE.equals(c.get("return_sequences"));
        if (Boolean.TRUE.equals(c.get("return_state"))) {
            throw new IllegalArgumentException("ONNX export: LSTM with return_state is not supported");
        }
        if (sequences && lengths != null) {
            throw new IllegalArgumentException("ONNX export: a masked LSTM with return_sequences is not supported "
                    + "(Keras repeats the last output at padded steps, ONNX writes zeros)");
        }
        int units = (Integer) c.get("units");
        // ONNX Runtime's LSTM is time-major: [batch, time, in] -> [time, batch, in]
        String timeMajor = g.node("Transpose", List.of(x), Map.of("perm", new long[] {1, 0, 2}));
        List<String> inputs;
        try (Scope ignored = Scope.open("onnx lstm")) {
            // Keras's gates i, f, c, o as ONNX's i, o, f, c: W [1, 4u, in], R [1, 4u, u], B [1, 8u] = [Wb | Rb]
            Tensor order = Tensor.of(new int[] {0, 3, 1, 2}, 4);
            Tensor bias = w.containsKey("bias") ? w.get("bias") : Tensor.zeros(4 * units);
            Tensor b = bias.reshape(4, units).indexSelect(order).reshape(4 * units);
            inputs = List.of(timeMajor, g.init(gates(w.get("kernel"), order, units)),
                    g.init(gates(w.get("recurrent_kernel"), order, units)),
                    g.init(Tensor.concat(List.of(b, Tensor.zeros(4 * units)), 0).reshape(1, 8 * units)),
                    lengths == null ? "" : lengths);
        }
        String[] outs = g.nodeOutputs("LSTM", inputs, Map.of("hidden_size", (long) units), 2);
        if (sequences) {
            // Y [time, 1, batch, u] -> [batch, time, u]
            String y = g.node("Squeeze", List.of(outs[0], g.constInt64s(1)), Map.of());
            return g.node("Transpose", List.of(y), Map.of("perm", new long[] {1, 0, 2}));
        }
        return g.node("Squeeze", List.of(outs[1], g.constInt64s(0)), Map.of());
    }

    /**
     * Keras's GRU with reset_after (its only form here) as ONNX's GRU with linear_before_reset = 1:
     * the same gate order z, r, h; kernel and recurrent kernel transposed; the [2, 3u] bias as
     * [Wb | Rb].
     */
    private static String gru(Graph g, Map<String, Object> c, Map<String, Tensor> w, int[] inShape, String x,
                              String lengths) {
        boolean sequences = Boolean.TRUE.equals(c.get("return_sequences"));
        if (sequences && lengths != null) {
            throw new IllegalArgumentException("ONNX export: a masked GRU with return_sequences is not supported "
                    + "(Keras repeats the last output at padded steps, ONNX writes zeros)");
        }
        int units = (Integer) c.get("units");
        int in = inShape[1];
        String timeMajor = g.node("Transpose", List.of(x), Map.of("perm", new long[] {1, 0, 2}));
        List<String> inputs = List.of(timeMajor,
                g.init(w.get("kernel").reshape(1, in, 3 * units), 0, 2, 1),
                g.init(w.get("recurrent_kernel").reshape(1, units, 3 * units), 0, 2, 1),
                g.init(w.get("bias").reshape(1, 6 * units)), lengths == null ? "" : lengths);
        String[] outs = g.nodeOutputs("GRU", inputs, Map.of("hidden_size", (long) units, "linear_before_reset", 1L), 2);
        if (sequences) {
            String y = g.node("Squeeze", List.of(outs[0], g.constInt64s(1)), Map.of());
            return g.node("Transpose", List.of(y), Map.of("perm", new long[] {1, 0, 2}));
        }
        return g.node("Squeeze", List.of(outs[1], g.constInt64s(0)), Map.of());
    }

    /** A Keras LSTM kernel [rows, 4u] (gates i, f, c, o) as ONNX's [1, 4u, rows], gates in {@code order}. */
    private static Tensor gates(Tensor kernel, Tensor order, int units) {
        int rows = kernel.size(0);
        return kernel.reshape(rows, 4, units).permute(1, 0, 2).indexSelect(order).permute(0, 2, 1)
                .reshape(1, 4 * units, rows);
    }

    private static String nchw(Graph g, String x) {
        return g.node("Transpose", List.of(x), Map.of("perm", new long[] {0, 3, 1, 2}));
    }

    private static String nhwc(Graph g, String x) {
        return g.node("Transpose", List.of(x), Map.of("perm", new long[] {0, 2, 3, 1}));
    }

    private static String activation(Graph g, String x, String name, String layer) {
        return switch (name) {
            case "linear" -> x;
            case "relu" -> g.node("Relu", List.of(x), Map.of());
            case "sigmoid" -> g.node("Sigmoid", List.of(x), Map.of());
            case "tanh" -> g.node("Tanh", List.of(x), Map.of());
            case "softmax" -> g.node("Softmax", List.of(x), Map.of("axis", -1L));
            case "leaky_relu" -> g.node("LeakyRelu", List.of(x), Map.of("alpha", 0.2f)); // Keras's slope
            default -> throw new IllegalArgumentException("ONNX export: activation " + name + " of " + layer
                    + " is not supported");
        };
    }

    /** ONNX pads [top, left, bottom, right]: the layer's own window (TensorFlow-style "same", or "valid") on [h, w, c]. */
    private static long[] pads(String padding, int[] hwc, int[] window, int[] stride) {
        Window2d w = Window2d.of(1, hwc[0], hwc[1], hwc[2], window[0], window[1], stride[0], stride[1],
                Window2d.Padding.of(padding));
        return new long[] {w.padTop(), w.padLeft(), w.padBottom(), w.padRight()};
    }

    private static int[] pair(Object o) {
        List<?> l = (List<?>) o;
        return new int[] {((Number) l.get(0)).intValue(), ((Number) l.get(1)).intValue()};
    }

    private static long[] longs(int[] v) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            l[i] = v[i];
        }
        return l;
    }

    /** The nodes and initializers of the graph being written, each value named once. */
    private static final class Graph {
        private final List<byte[]> nodes = new ArrayList<>();
        private final List<byte[]> initializers = new ArrayList<>();
        private int names;

        private String fresh(String base) {
            return base.toLowerCase(Locale.ROOT) + "_" + names++;
        }

        String node(String op, List<String> inputs, Map<String, Object> attributes) {
            return nodeOutputs(op, inputs, attributes, 1)[0];
        }

        String[] nodeOutputs(String op, List<String> inputs, Map<String, Object> attributes, int outputs) {
            String[] outs = new String[outputs];
            for (int i = 0; i < outputs; i++) {
                outs[i] = fresh(op);
            }
            Message n = new Message();
            for (String in : inputs) {
                n.string(1, in);
            }
            for (String out : outs) {
                n.string(2, out);
            }
            n.string(3, fresh(op + "_node"));
            n.string(4, op);
            attributes.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(a -> n.message(5,
                    attribute(a.getKey(), a.getValue())));
            nodes.add(n.bytes());
            return outs;
        }

        private static Message attribute(String name, Object value) {
            Message a = new Message().string(1, name);
            switch (value) {
                case Long i -> a.int64(3, i).int64(20, 2); // INT
                case Float f -> a.float32(2, f).int64(20, 1); // FLOAT
                case long[] ints -> {
                    for (long i : ints) {
                        a.int64(8, i);
                    }
                    a.int64(20, 7); // INTS
                }
                default -> throw new IllegalStateException("attribute type " + value.getClass());
            }
            return a;
        }

        /** A float initializer holding {@code t}'s values with its axes in the order {@code axes} (none: as they are). */
        String init(Tensor t, int... axes) {
            try (Scope ignored = Scope.open("onnx initializer")) {
                Tensor p = axes.length == 0 ? t : t.permute(axes);
                int[] shape = p.shape();
                long[] dims = new long[shape.length];
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = shape[i];
                }
                return init(p.toArray(), dims);
            }
        }

        String init(float[] values, long[] dims) {
            ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            raw.asFloatBuffer().put(values);
            return tensor(FLOAT, dims, raw.array());
        }

        String constInt64s(long... v) {
            ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (long x : v) {
                b.putLong(x);
            }
            return tensor(INT64, new long[] {v.length}, b.array());
        }

        String constInt32(int v) {
            return tensor(INT32, new long[0], ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        }

        private String tensor(int type, long[] dims, byte[] raw) {
            String name = fresh("w");
            Message t = new Message();
            for (long d : dims) {
                t.int64(1, d);
            }
            t.int64(2, type).string(8, name).raw(9, raw);
            initializers.add(t.bytes());
            return name;
        }

        /** An Identity from {@code from} to the graph output {@code to}. */
        void rename(String from, String to) {
            nodes.add(new Message().string(1, from).string(2, to).string(3, to + "_identity").string(4, "Identity")
                    .bytes());
        }

        byte[] model(List<SymbolicTensor> inputs, List<String> inputNames, Set<SymbolicTensor> ids,
                     List<SymbolicTensor> outputs, List<String> outputNames) {
            Message graph = new Message();
            for (byte[] n : nodes) {
                graph.raw(1, n);
            }
            graph.string(2, "isthmus");
            for (byte[] t : initializers) {
                graph.raw(5, t);
            }
            for (int i = 0; i < inputs.size(); i++) {
                DType type = ids.contains(inputs.get(i)) ? DType.INT32 : inputs.get(i).dtype();
                int onnxType = switch (type) {
                    case FLOAT32 -> FLOAT;
                    case INT32 -> INT32;
                    default -> throw new IllegalArgumentException("ONNX export: input of type " + type + " is not supported");
                };
                graph.message(11, valueInfo(inputNames.get(i), onnxType, inputs.get(i).shape()));
            }
            for (int i = 0; i < outputs.size(); i++) {
                graph.message(12, valueInfo(outputNames.get(i), FLOAT, outputs.get(i).shape()));
            }
            Message model = new Message().int64(1, IR_VERSION).string(2, "isthmus").string(3, "0.1")
                    .message(7, graph).message(8, new Message().string(1, "").int64(2, OPSET));
            return model.bytes();
        }

        private static Message valueInfo(String name, int type, int[] shape) {
            Message dims = new Message().message(1, new Message().string(2, "batch"));
            for (int d : shape) {
                dims.message(1, new Message().int64(1, d));
            }
            Message tensor = new Message().int64(1, type).message(2, dims);
            return new Message().string(1, name).message(2, new Message().message(1, tensor));
        }
    }

    /** One protobuf message being written: fields in the order given. */
    private static final class Message {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final CodedOutputStream out = CodedOutputStream.newInstance((OutputStream) buffer);

        Message int64(int field, long v) {
            try {
                out.writeInt64(field, v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Message float32(int field, float v) {
            try {
                out.writeFloat(field, v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Message string(int field, String s) {
            try {
                out.writeString(field, s);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Message raw(int field, byte[] bytes) {
            try {
                out.writeByteArray(field, bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Message message(int field, Message m) {
            return raw(field, m.bytes());
        }

        byte[] bytes() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return buffer.toByteArray();
        }
    }
}
