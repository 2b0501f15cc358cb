package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** Keras's weight regularizers: {@code L1}, {@code L2} and {@code L1L2}, with Keras's formulas and defaults. */
public final class Regularizers {
    private Regularizers() {
    }

    /** Keras {@code L1(l1)}: {@code l1 · sum(|w|)}. */
    public static Regularizer l1(double l1) {
        return new L1L2("L1", l1, 0);
    }

    /** Keras {@code L1()}: {@code l1(0.01)}. */
    public static Regularizer l1() {
        return l1(0.01);
    }

    /** Keras {@code L2(l2)}: {@code l2 · sum(w²)} (no factor one half). */
    public static Regularizer l2(double l2) {
        return new L1L2("L2", 0, l2);
    }

    /** Keras {@code L2()}: {@code l2(0.01)}. */
    public static Regularizer l2() {
        return l2(0.01);
    }

    /** Keras {@code L1L2(l1, l2)}: {@code l1 · sum(|w|) + l2 · sum(w²)}. */
    public static Regularizer l1l2(double l1, double l2) {
        return new L1L2("L1L2", l1, l2);
    }

    /**
     * Rebuilds a regularizer from its {@link Regularizer#toConfig()} form.
     *
     * @throws IllegalArgumentException for a class other than L1, L2 and L1L2, or a bad factor
     */
    public static Regularizer fromConfig(Map<String, Object> saved) {
        Object name = saved.get("class_name");
        Map<?, ?> c = saved.get("config") instanceof Map<?, ?> m ? m : Map.of();
        return switch (String.valueOf(name)) {
            case "L1" -> l1(factor(c, "l1", 0.01));
            case "L2" -> l2(factor(c, "l2", 0.01));
            case "L1L2" -> l1l2(factor(c, "l1", 0), factor(c, "l2", 0));
            default -> throw new IllegalArgumentException("unknown regularizer \"" + name + "\"; known: L1, L2, L1L2");
        };
    }

    private static double factor(Map<?, ?> c, String key, double fallback) {
        Object v = c.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("regularizer factor \"" + key + "\" must be a number, got " + v);
        }
        return n.doubleValue();
    }

    private record L1L2(String className, double l1, double l2) implements Regularizer {
        L1L2 {
            if (!(l1 >= 0) || !(l2 >= 0) || Double.isInfinite(l1) || Double.isInfinite(l2)) {
                throw new IllegalArgumentException(className + " factors must be finite and >= 0, got l1 " + l1 + ", l2 " + l2);
            }
        }

        @Override
        public Tensor penalty(Tensor w) {
            Tensor p = null;
            if (l1 > 0) {
                p = w.abs().sum().mul((float) l1);
            }
            if (l2 > 0) {
                Tensor q = w.square().sum().mul((float) l2);
                p = p == null ? q : p.add(q);
            }
            return p == null ? w.sum().mul(0f) : p;
        }

        @Override
        public Map<String, Object> toConfig() {
            Map<String, Object> config = new LinkedHashMap<>();
            if (!className.equals("L2")) {
                config.put("l1", l1);
            }
            if (!className.equals("L1")) {
                config.put("l2", l2);
            }
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("class_name", className);
            c.put("config", config);
            return c;
        }
    }
}
