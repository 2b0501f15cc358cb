package dev.isthmus.nn.layers;

import java.util.List;
import java.util.Map;

/** Rebuilds a layer from the class name and config it was saved with (Keras's {@code from_config}). */
public final class Layers {
    private Layers() {
    }

    public static Layer fromConfig(String className, Map<String, Object> c) {
        try {
            return switch (className) {
                case "Dense" -> new Dense(i(c, "units"), Activation.of(s(c, "activation")), b(c, "use_bias"),
                        Initializer.glorotUniform(), Initializer.zeros());
                case "Activation" -> new ActivationLayer(Activation.of(s(c, "activation")));
                case "Dropout" -> new Dropout((float) d(c, "rate"));
                case "Conv2D" -> new Conv2D(i(c, "filters"), pair(c, "kernel_size"), pair(c, "strides"), s(c, "padding"),
                        Activation.of(s(c, "activation")), b(c, "use_bias"));
                case "MaxPooling2D" -> new MaxPooling2D(pair(c, "pool_size"), pair(c, "strides"), s(c, "padding"));
                case "Flatten" -> new Flatten();
                case "GlobalAveragePooling1D" -> new GlobalAveragePooling1D();
                case "GlobalAveragePooling2D" -> new GlobalAveragePooling2D();
                case "Embedding" -> new Embedding(i(c, "input_dim"), i(c, "output_dim"), b(c, "mask_zero"));
                case "LSTM" -> new LSTM(i(c, "units"), b(c, "return_sequences"), b(c, "return_state"));
                case "MultiHeadAttention" -> new MultiHeadAttention(i(c, "num_heads"), i(c, "key_dim"), b(c, "use_causal_mask"));
                default -> throw new IllegalArgumentException("unknown layer class \"" + className + "\"");
            };
        } catch (ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("bad config for " + className + ": " + c, e);
        }
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
