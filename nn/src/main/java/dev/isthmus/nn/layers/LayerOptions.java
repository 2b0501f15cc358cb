package dev.isthmus.nn.layers;

import java.util.Map;

/** How layers write initializers and regularizers into their configs and read them back. */
final class LayerOptions {
    private LayerOptions() {
    }

    static Object describe(Regularizer r) {
        return r == null ? null : r.toConfig();
    }

    /** The initializer saved under {@code key}, or {@code fallback} for configs written before initializers were saved. */
    static Initializer initializer(Map<String, Object> c, String key, Initializer fallback) {
        Object v = c.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof String name) {
            return Initializer.of(name);
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("config \"" + key + "\" must be an initializer object or name, got " + v);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> saved = (Map<String, Object>) m;
        return Initializer.fromConfig(saved);
    }

    /** The regularizer saved under {@code key}; null when there is none. */
    static Regularizer regularizer(Map<String, Object> c, String key) {
        Object v = c.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("config \"" + key + "\" must be a regularizer object, got " + v);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> saved = (Map<String, Object>) m;
        return Regularizers.fromConfig(saved);
    }

    /** The boolean under {@code key}, or {@code fallback} when the config predates it. */
    static boolean flag(Map<String, Object> c, String key, boolean fallback) {
        Object v = c.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException("config \"" + key + "\" must be true or false, got " + v);
        }
        return b;
    }

    /** The number under {@code key}, or {@code fallback} when the config lacks it. */
    static double number(Map<String, Object> c, String key, double fallback) {
        Object v = c.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("config \"" + key + "\" must be a number, got " + v);
        }
        return n.doubleValue();
    }
}
