package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The built-in initializers: a Keras class name, its config, and how it fills a tensor. */
record KerasInitializer(String className, Map<String, Object> config, Initializer fill) implements Initializer {
    static final String CUSTOM = "Custom";
    /** The std of a unit normal truncated at ±2, which Keras divides by so the truncated result has the std asked for. */
    static final double TRUNCATED_STD = 0.87962566103423978;

    static final KerasInitializer ZEROS = new KerasInitializer("Zeros", Map.of(), (shape, seed) -> Tensor.zeros(shape));
    static final KerasInitializer ONES = new KerasInitializer("Ones", Map.of(), (shape, seed) -> Tensor.ones(shape));
    // the two that predate the others keep their exact arithmetic, so existing models draw the same weights
    static final KerasInitializer GLOROT_UNIFORM = new KerasInitializer("GlorotUniform", Map.of(), Tensor::glorotUniform);
    static final KerasInitializer HE_NORMAL = new KerasInitializer("HeNormal", Map.of(), Tensor::heNormal);
    static final KerasInitializer GLOROT_NORMAL = named("GlorotNormal", 1, "fan_avg", "truncated_normal");
    static final KerasInitializer HE_UNIFORM = named("HeUniform", 2, "fan_in", "uniform");
    static final KerasInitializer LECUN_NORMAL = named("LecunNormal", 1, "fan_in", "truncated_normal");
    static final KerasInitializer LECUN_UNIFORM = named("LecunUniform", 1, "fan_in", "uniform");
    /** Stands in for a user's initializer in a loaded model; the saved weights replace what it makes. */
    static final KerasInitializer SAVED_CUSTOM = new KerasInitializer(CUSTOM, Map.of(), (shape, seed) -> Tensor.zeros(shape));

    private static final String KNOWN = "glorot_uniform, glorot_normal, he_normal, he_uniform, lecun_normal, lecun_uniform,"
            + " orthogonal, zeros, ones, random_normal, random_uniform, truncated_normal, constant, variance_scaling";

    @Override
    public Tensor create(int[] shape, long seed) {
        return fill.create(shape, seed);
    }

    @Override
    public Map<String, Object> toConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("class_name", className);
        c.put("config", config);
        return c;
    }

    @Override
    public String toString() {
        return className + config;
    }

    static KerasInitializer of(String name, Map<String, Object> args) {
        String key = name.trim().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
        try {
            return switch (key) {
                case "zeros", "zero" -> ZEROS;
                case "ones", "one" -> ONES;
                case "custom" -> SAVED_CUSTOM;
                case "glorot_uniform" -> GLOROT_UNIFORM;
                case "glorot_normal" -> GLOROT_NORMAL;
                case "he_normal" -> HE_NORMAL;
                case "he_uniform" -> HE_UNIFORM;
                case "lecun_normal" -> LECUN_NORMAL;
                case "lecun_uniform" -> LECUN_UNIFORM;
                case "constant" -> constant(number(args, "value", 0));
                case "orthogonal" -> orthogonal(number(args, "gain", 1));
                case "random_normal", "normal" -> randomNormal(number(args, "mean", 0), number(args, "stddev", 0.05f));
                case "random_uniform", "uniform" -> randomUniform(number(args, "minval", -0.05f), number(args, "maxval", 0.05f));
                case "truncated_normal" -> truncatedNormal(number(args, "mean", 0), number(args, "stddev", 0.05f));
                case "variance_scaling" -> varianceScaling(number(args, "scale", 1), text(args, "mode", "fan_in"),
                        text(args, "distribution", "truncated_normal"));
                default -> throw new IllegalArgumentException("unknown initializer \"" + name + "\"; known: " + KNOWN);
            };
        } catch (ClassCastException e) {
            throw new IllegalArgumentException("bad config for initializer " + name + ": " + args, e);
        }
    }

    private static float number(Map<String, Object> args, String key, float fallback) {
        Object v = args.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("initializer argument \"" + key + "\" must be a number, got " + v);
        }
        return n.floatValue();
    }

    private static String text(Map<String, Object> args, String key, String fallback) {
        Object v = args.get(key);
        return v == null ? fallback : (String) v;
    }

    static KerasInitializer constant(float value) {
        return new KerasInitializer("Constant", Map.of("value", value), (shape, seed) -> Tensor.full(value, shape));
    }

    static KerasInitializer randomNormal(float mean, float std) {
        return new KerasInitializer("RandomNormal", args("mean", mean, "stddev", std),
                (shape, seed) -> Tensor.normal(shape, mean, std, seed));
    }

    static KerasInitializer randomUniform(float low, float high) {
        if (!(low < high)) {
            throw new IllegalArgumentException("random_uniform needs minval < maxval, got " + low + " and " + high);
        }
        return new KerasInitializer("RandomUniform", args("minval", low, "maxval", high),
                (shape, seed) -> Tensor.uniform(shape, low, high, seed));
    }

    static KerasInitializer truncatedNormal(float mean, float std) {
        return new KerasInitializer("TruncatedNormal", args("mean", mean, "stddev", std),
                (shape, seed) -> Tensor.truncatedNormal(shape, mean, std, seed));
    }

    private static Map<String, Object> args(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return java.util.Collections.unmodifiableMap(m);
    }

    private static KerasInitializer named(String className, double scale, String mode, String distribution) {
        return new KerasInitializer(className, Map.of(), varianceScaling(scale, mode, distribution).fill);
    }

    static KerasInitializer varianceScaling(double scale, String mode, String distribution) {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("variance_scaling needs scale > 0, got " + scale);
        }
        if (!mode.equals("fan_in") && !mode.equals("fan_out") && !mode.equals("fan_avg")) {
            throw new IllegalArgumentException("variance_scaling mode must be fan_in, fan_out or fan_avg, got \"" + mode + "\"");
        }
        if (!distribution.equals("truncated_normal") && !distribution.equals("untruncated_normal")
                && !distribution.equals("uniform")) {
            throw new IllegalArgumentException("variance_scaling distribution must be truncated_normal, untruncated_normal"
                    + " or uniform, got \"" + distribution + "\"");
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("scale", scale);
        config.put("mode", mode);
        config.put("distribution", distribution);
        return new KerasInitializer("VarianceScaling", java.util.Collections.unmodifiableMap(config), (shape, seed) -> {
            long[] fans = Tensor.fans(shape);
            double n = switch (mode) {
                case "fan_in" -> fans[0];
                case "fan_out" -> fans[1];
                default -> (fans[0] + fans[1]) / 2.0;
            };
            double variance = scale / Math.max(1, n);
            return switch (distribution) {
                case "uniform" -> {
                    float limit = (float) Math.sqrt(3 * variance);
                    yield Tensor.uniform(shape, -limit, limit, seed);
                }
                case "untruncated_normal" -> Tensor.normal(shape, 0f, (float) Math.sqrt(variance), seed);
                default -> Tensor.truncatedNormal(shape, 0f, (float) (Math.sqrt(variance) / TRUNCATED_STD), seed);
            };
        });
    }

    static KerasInitializer orthogonal(float gain) {
        return new KerasInitializer("Orthogonal", Map.of("gain", gain), (shape, seed) -> {
            if (shape.length < 2) {
                throw new IllegalArgumentException("orthogonal initializer needs a shape of two or more axes, got "
                        + Arrays.toString(shape));
            }
            int cols = shape[shape.length - 1];
            int rows = 1;
            for (int i = 0; i < shape.length - 1; i++) {
                rows *= shape[i];
            }
            float[] out = orthonormal(rows, cols, seed);
            if (gain != 1f) {
                for (int i = 0; i < out.length; i++) {
                    out[i] *= gain;
                }
            }
            return Tensor.of(out, shape);
        });
    }

    /**
     * A rows × cols matrix with orthonormal columns (rows ≥ cols) or rows (rows < cols): Q of a
     * seeded normal matrix by modified Gram–Schmidt, which is QR with R's diagonal positive, the
     * sign correction Keras applies.
     */
    private static float[] orthonormal(int rows, int cols, long seed) {
        boolean transpose = rows < cols;
        int m = transpose ? cols : rows;
        int n = transpose ? rows : cols;
        float[] g = Tensor.normal(new int[] {m, n}, 0f, 1f, seed).toArray();
        double[][] q = new double[n][m]; // columns of Q
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                q[j][i] = g[i * n + j];
            }
            for (int k = 0; k < j; k++) {
                double dot = 0;
                for (int i = 0; i < m; i++) {
                    dot += q[k][i] * q[j][i];
                }
                for (int i = 0; i < m; i++) {
                    q[j][i] -= dot * q[k][i];
                }
            }
            double norm = 0;
            for (int i = 0; i < m; i++) {
                norm += q[j][i] * q[j][i];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < m; i++) {
                q[j][i] /= norm;
            }
        }
        float[] out = new float[rows * cols];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                if (transpose) {
                    out[j * cols + i] = (float) q[j][i];
                } else {
                    out[i * cols + j] = (float) q[j][i];
                }
            }
        }
        return out;
    }
}
