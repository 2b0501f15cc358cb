package dev.isthmus.nn.layers;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Rebuilds a layer from the class name and config it was saved with (Keras's
 * {@code from_config}), for the built-in layers and for a user's own {@link Layer} subclasses
 * once they are {@linkplain #register registered} (Keras's {@code register_keras_serializable}).
 */
public final class Layers {
    static final List<String> BUILT_IN = List.of("Dense", "Activation", "Dropout", "Conv2D", "MaxPooling2D", "Flatten",
            "GlobalAveragePooling1D", "GlobalAveragePooling2D", "Embedding", "LSTM", "MultiHeadAttention",
            "Add", "Subtract", "Multiply", "Average", "Concatenate", "Dot", "LayerNormalization",
            "TokenAndPositionEmbedding", "BatchNormalization", "Reshape", "Permute", "RepeatVector", "GlobalMaxPooling1D",
            "GlobalMaxPooling2D", "Conv1D", "MaxPooling1D", "AveragePooling1D", "AveragePooling2D", "ZeroPadding2D",
            "SimpleRNN", "GRU", "Bidirectional", "TimeDistributed", "SpatialDropout1D");

    private static final Map<String, Function<Map<String, Object>, ? extends Layer>> REGISTERED = new ConcurrentHashMap<>();

    private Layers() {
    }

    /**
     * Makes {@code className} loadable: a saved model whose architecture has a layer of that class
     * is rebuilt with {@code factory}, given the layer's saved {@link Layer#config()} (as parsed
     * JSON: integers come back as {@code Long}, other numbers as {@code Double}, lists as
     * {@code List}, objects as {@code Map}). {@code className} is the layer's
     * {@link Layer#typeName()} (its simple class name unless it overrides that). Registering the
     * same name again replaces the factory; built-in names cannot be taken.
     *
     * <pre>{@code
     * Layers.register("Scale", config -> new Scale(((Number) config.get("factor")).floatValue()));
     * }</pre>
     *
     * @throws IllegalArgumentException when {@code className} is a built-in layer's name
     */
    public static void register(String className, Function<Map<String, Object>, ? extends Layer> factory) {
        java.util.Objects.requireNonNull(factory, "factory");
        if (BUILT_IN.contains(className)) {
            throw new IllegalArgumentException("\"" + className + "\" is a built-in layer and cannot be registered again");
        }
        REGISTERED.put(className, factory);
    }

    /** Whether {@code className} is a built-in or registered layer class. */
    public static boolean isKnown(String className) {
        return BUILT_IN.contains(className) || REGISTERED.containsKey(className);
    }

    /**
     * The layer of {@code className} made from {@code c}.
     *
     * @throws UnknownLayerException when the class is neither built in nor registered
     * @throws IllegalArgumentException when the config lacks what the class needs
     */
    public static Layer fromConfig(String className, Map<String, Object> c) {
        try {
            return switch (className) {
                case "Dense" -> new Dense(i(c, "units"), Activation.of(s(c, "activation")), b(c, "use_bias"),
                        LayerOptions.initializer(c, "kernel_initializer", Initializer.glorotUniform()),
                        LayerOptions.initializer(c, "bias_initializer", Initializer.zeros()))
                        .kernelRegularizer(LayerOptions.regularizer(c, "kernel_regularizer"));
                case "Activation" -> new ActivationLayer(Activation.of(s(c, "activation")));
                case "Dropout" -> new Dropout((float) d(c, "rate"));
                case "Conv2D" -> new Conv2D(i(c, "filters"), pair(c, "kernel_size"), pair(c, "strides"), s(c, "padding"),
                        Activation.of(s(c, "activation")), b(c, "use_bias"))
                        .kernelInitializer(LayerOptions.initializer(c, "kernel_initializer", Initializer.glorotUniform()))
                        .biasInitializer(LayerOptions.initializer(c, "bias_initializer", Initializer.zeros()))
                        .kernelRegularizer(LayerOptions.regularizer(c, "kernel_regularizer"))
                        .dilationRate(c.containsKey("dilation_rate") ? pair(c, "dilation_rate")[0] : 1,
                                c.containsKey("dilation_rate") ? pair(c, "dilation_rate")[1] : 1)
                        .groups(c.containsKey("groups") ? i(c, "groups") : 1);
                case "MaxPooling2D" -> new MaxPooling2D(pair(c, "pool_size"), pair(c, "strides"), s(c, "padding"));
                case "Flatten" -> new Flatten();
                case "GlobalAveragePooling1D" -> new GlobalAveragePooling1D();
                case "GlobalAveragePooling2D" -> new GlobalAveragePooling2D();
                case "Embedding" -> new Embedding(i(c, "input_dim"), i(c, "output_dim"), b(c, "mask_zero"))
                        .embeddingsInitializer(LayerOptions.initializer(c, "embeddings_initializer", Initializer.randomUniform()))
                        .embeddingsRegularizer(LayerOptions.regularizer(c, "embeddings_regularizer"));
                case "LSTM" -> lstm(c);
                case "MultiHeadAttention" -> new MultiHeadAttention(i(c, "num_heads"), i(c, "key_dim"), b(c, "use_causal_mask"))
                        .useBias(LayerOptions.flag(c, "use_bias", true))
                        .kernelInitializer(LayerOptions.initializer(c, "kernel_initializer", Initializer.glorotUniform()))
                        .biasInitializer(LayerOptions.initializer(c, "bias_initializer", Initializer.zeros()));
                case "Add" -> new Add();
                case "Subtract" -> new Subtract();
                case "Multiply" -> new Multiply();
                case "Average" -> new Average();
                case "Concatenate" -> new Concatenate(i(c, "axis"));
                case "Dot" -> dot(c);
                case "LayerNormalization" -> layerNormalization(c);
                case "BatchNormalization" -> batchNormalization(c);
                case "Reshape" -> new Reshape(ints(c, "target_shape"));
                case "Permute" -> new Permute(ints(c, "dims"));
                case "RepeatVector" -> new RepeatVector(i(c, "n"));
                case "GlobalMaxPooling1D" -> new GlobalMaxPooling1D();
                case "GlobalMaxPooling2D" -> new GlobalMaxPooling2D();
                case "Conv1D" -> new Conv1D(i(c, "filters"), one(c, "kernel_size"), one(c, "strides"), s(c, "padding"),
                        Activation.of(s(c, "activation")), b(c, "use_bias"));
                case "MaxPooling1D" -> new MaxPooling1D(one(c, "pool_size"), one(c, "strides"), s(c, "padding"));
                case "AveragePooling1D" -> new AveragePooling1D(one(c, "pool_size"), one(c, "strides"), s(c, "padding"));
                case "AveragePooling2D" -> new AveragePooling2D(pair(c, "pool_size"), pair(c, "strides"), s(c, "padding"));
                case "ZeroPadding2D" -> zeroPadding2d(c);
                case "SimpleRNN" -> new SimpleRNN(i(c, "units"), Activation.of(s(c, "activation")), b(c, "use_bias"),
                        b(c, "return_sequences"));
                case "GRU" -> gru(c);
                case "Bidirectional" -> new Bidirectional(inner(c), s(c, "merge_mode"));
                case "TimeDistributed" -> new TimeDistributed(inner(c));
                case "SpatialDropout1D" -> new SpatialDropout1D((float) d(c, "rate"));
                case "TokenAndPositionEmbedding" -> new TokenAndPositionEmbedding(i(c, "vocabulary_size"),
                        i(c, "sequence_length"), i(c, "embedding_dim"));
                default -> registered(className, c);
            };
        } catch (ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("bad config for " + className + ": " + c, e);
        }
    }

    private static int[] ints(Map<String, Object> c, String key) {
        if (!(get(c, key) instanceof List<?> l)) {
            throw new IllegalArgumentException("config \"" + key + "\" must be a list of integers, got " + c.get(key));
        }
        int[] out = new int[l.size()];
        for (int j = 0; j < out.length; j++) {
            out[j] = integer(l.get(j), key);
        }
        return out;
    }

    /** A one-element list (Keras writes 1-D sizes as tuples) or a bare integer. */
    private static int one(Map<String, Object> c, String key) {
        Object v = get(c, key);
        if (v instanceof List<?> l) {
            if (l.size() != 1) {
                throw new IllegalArgumentException("config \"" + key + "\" must be one integer, got " + v);
            }
            return integer(l.getFirst(), key);
        }
        return integer(v, key);
    }

    private static Layer zeroPadding2d(Map<String, Object> c) {
        if (!(get(c, "padding") instanceof List<?> l) || l.size() != 2 || !(l.get(0) instanceof List<?> h)
                || !(l.get(1) instanceof List<?> w) || h.size() != 2 || w.size() != 2) {
            throw new IllegalArgumentException("config \"padding\" must be [[top, bottom], [left, right]], got "
                    + c.get("padding"));
        }
        return new ZeroPadding2D(integer(h.get(0), "padding"), integer(h.get(1), "padding"), integer(w.get(0), "padding"),
                integer(w.get(1), "padding"));
    }

    /** A wrapper's inner layer: {"class_name": ..., "config": {...}}. */
    @SuppressWarnings("unchecked")
    private static Layer inner(Map<String, Object> c) {
        if (!(get(c, "layer") instanceof Map<?, ?> m) || !(m.get("class_name") instanceof String name)
                || !(m.get("config") instanceof Map<?, ?> config)) {
            throw new IllegalArgumentException("config \"layer\" must be {\"class_name\": ..., \"config\": {...}}, got "
                    + c.get("layer"));
        }
        return fromConfig(name, (Map<String, Object>) config);
    }

    private static Layer gru(Map<String, Object> c) {
        if (!LayerOptions.flag(c, "reset_after", true)) {
            throw new IllegalArgumentException("GRU with reset_after=false (Keras 2's default before TF 2) is not supported;"
                    + " only Keras 3's reset_after=true");
        }
        return new GRU(i(c, "units"), b(c, "return_sequences"));
    }

    private static Layer batchNormalization(Map<String, Object> c) {
        Object axis = c.getOrDefault("axis", -1L);
        if (!(axis instanceof Number n) || n.intValue() != -1) {
            throw new IllegalArgumentException("BatchNormalization normalises the last axis only (axis -1), the config"
                    + " has axis " + axis);
        }
        return new BatchNormalization((float) LayerOptions.number(c, "momentum", 0.99), (float) LayerOptions.number(c,
                "epsilon", 1e-3), LayerOptions.flag(c, "center", true), LayerOptions.flag(c, "scale", true));
    }

    private static Layer layerNormalization(Map<String, Object> c) {
        Object axis = c.getOrDefault("axis", -1L);
        if (!(axis instanceof Number n) || n.intValue() != -1) {
            throw new IllegalArgumentException("LayerNormalization normalises the last axis only (axis -1), the config"
                    + " has axis " + axis);
        }
        return new LayerNormalization((float) LayerOptions.number(c, "epsilon", 1e-3), LayerOptions.flag(c, "center", true),
                LayerOptions.flag(c, "scale", true));
    }

    private static Layer lstm(Map<String, Object> c) {
        LSTM l = new LSTM(i(c, "units"), b(c, "return_sequences"), b(c, "return_state"))
                .useBias(LayerOptions.flag(c, "use_bias", true))
                .unitForgetBias(LayerOptions.flag(c, "unit_forget_bias", true))
                .kernelInitializer(LayerOptions.initializer(c, "kernel_initializer", Initializer.glorotUniform()))
                .recurrentInitializer(LayerOptions.initializer(c, "recurrent_initializer", Initializer.orthogonal()))
                .biasInitializer(LayerOptions.initializer(c, "bias_initializer", Initializer.zeros()))
                .kernelRegularizer(LayerOptions.regularizer(c, "kernel_regularizer"))
                .recurrentRegularizer(LayerOptions.regularizer(c, "recurrent_regularizer"));
        if (c.get("activation") != null) {
            l.activation(Activation.of(s(c, "activation")));
        }
        if (c.get("recurrent_activation") != null) {
            l.recurrentActivation(Activation.of(s(c, "recurrent_activation")));
        }
        return l;
    }

    private static Layer dot(Map<String, Object> c) {
        if (!(get(c, "axes") instanceof List<?> l) || l.size() != 2) {
            throw new IllegalArgumentException("config \"axes\" must be a list of two integers, got " + c.get("axes"));
        }
        return new Dot(integer(l.get(0), "axes"), integer(l.get(1), "axes"));
    }

    private static Layer registered(String className, Map<String, Object> c) {
        var factory = REGISTERED.get(className);
        if (factory == null) {
            throw new UnknownLayerException(className);
        }
        Layer l = factory.apply(c);
        if (l == null) {
            throw new IllegalArgumentException("the factory registered for \"" + className + "\" returned null");
        }
        return l;
    }

    private static Object get(Map<String, Object> c, String key) {
        Object v = c.get(key);
        if (v == null) {
            throw new IllegalArgumentException("config lacks \"" + key + "\"");
        }
        return v;
    }

    private static int i(Map<String, Object> c, String key) {
        return integer(get(c, key), key);
    }

    private static int integer(Object v, String key) {
        if (!(v instanceof Long || v instanceof Integer) || ((Number) v).longValue() != ((Number) v).intValue()) {
            throw new IllegalArgumentException("config \"" + key + "\" must be a 32-bit integer, got " + v);
        }
        return ((Number) v).intValue();
    }

    private static double d(Map<String, Object> c, String key) {
        if (!(get(c, key) instanceof Number n)) {
            throw new IllegalArgumentException("config \"" + key + "\" must be a number, got " + c.get(key));
        }
        return n.doubleValue();
    }

    private static boolean b(Map<String, Object> c, String key) {
        if (!(get(c, key) instanceof Boolean v)) {
            throw new IllegalArgumentException("config \"" + key + "\" must be true or false, got " + c.get(key));
        }
        return v;
    }

    private static String s(Map<String, Object> c, String key) {
        if (!(get(c, key) instanceof String v)) {
            throw new IllegalArgumentException("config \"" + key + "\" must be a string, got " + c.get(key));
        }
        return v;
    }

    private static int[] pair(Map<String, Object> c, String key) {
        if (!(get(c, key) instanceof List<?> l) || l.size() != 2) {
            throw new IllegalArgumentException("config \"" + key + "\" must be a list of two integers, got " + c.get(key));
        }
        return new int[] {integer(l.get(0), key), integer(l.get(1), key)};
    }
}
