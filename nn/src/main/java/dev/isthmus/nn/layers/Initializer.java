package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Makes a weight tensor of a shape from a seed, as Keras's initializers do, with Keras's names,
 * defaults and formulas. Fans are Keras's: a dense kernel [in, out] has fan-in {@code in} and
 * fan-out {@code out}; a convolution kernel [kh, kw, in, out] multiplies both by the kernel area
 * {@code kh · kw} (see {@link Tensor#fans}).
 *
 * <p>The built-in initializers describe themselves ({@link #toConfig()}) so that a saved model
 * records them and {@link #fromConfig} rebuilds them. A user's own initializer (a lambda) is
 * saved as {@code "Custom"}; a model loaded from such a file gets zeros in its place, which the
 * saved weights then overwrite.
 */
@FunctionalInterface
public interface Initializer {
    /** A new tensor of {@code shape} (on the default device) whose values depend only on {@code seed}. */
    Tensor create(int[] shape, long seed);

    /**
     * Keras's serialised form, {@code {"class_name": "GlorotUniform", "config": {...}}}, for the
     * built-in initializers; null for a user's own.
     */
    default Map<String, Object> toConfig() {
        return null;
    }

    /** {@link #toConfig()}, or {@code {"class_name": "Custom"}} for an initializer that has none. */
    static Map<String, Object> describe(Initializer initializer) {
        Map<String, Object> c = initializer.toConfig();
        if (c != null) {
            return c;
        }
        Map<String, Object> custom = new LinkedHashMap<>();
        custom.put("class_name", KerasInitializer.CUSTOM);
        custom.put("config", Map.of());
        return custom;
    }

    /**
     * The initializer of a Keras name with its default arguments: snake case
     * ({@code "he_normal"}) or the class name ({@code "HeNormal"}). Known: glorot_uniform,
     * glorot_normal, he_normal, he_uniform, lecun_normal, lecun_uniform, orthogonal, zeros, ones,
     * random_normal, random_uniform, truncated_normal, constant, variance_scaling.
     *
     * @throws IllegalArgumentException for a name it does not know, listing those it does
     */
    static Initializer of(String name) {
        return KerasInitializer.of(name, Map.of());
    }

    /** Rebuilds an initializer from its {@link #describe} form. */
    static Initializer fromConfig(Map<String, Object> saved) {
        if (!(saved.get("class_name") instanceof String name)) {
            throw new IllegalArgumentException("initializer config lacks a \"class_name\" string: " + saved);
        }
        Object config = saved.getOrDefault("config", Map.of());
        if (!(config instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("initializer \"config\" must be an object, got " + config);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> args = (Map<String, Object>) m;
        return KerasInitializer.of(name, args);
    }

    /** Keras {@code Zeros}. */
    static Initializer zeros() {
        return KerasInitializer.ZEROS;
    }

    /** Keras {@code Ones}. */
    static Initializer ones() {
        return KerasInitializer.ONES;
    }

    /** Keras {@code Constant(value)}: every element {@code value}. */
    static Initializer constant(float value) {
        return KerasInitializer.constant(value);
    }

    /** Keras {@code GlorotUniform}: uniform in ±sqrt(6 / (fanIn + fanOut)). Keras's default kernel initializer. */
    static Initializer glorotUniform() {
        return KerasInitializer.GLOROT_UNIFORM;
    }

    /** Keras {@code GlorotNormal}: truncated normal, std sqrt(2 / (fanIn + fanOut)) after truncation. */
    static Initializer glorotNormal() {
        return KerasInitializer.GLOROT_NORMAL;
    }

    /** Keras {@code HeNormal}: truncated normal, std sqrt(2 / fanIn) after truncation. */
    static Initializer heNormal() {
        return KerasInitializer.HE_NORMAL;
    }

    /** Keras {@code HeUniform}: uniform in ±sqrt(6 / fanIn). */
    static Initializer heUniform() {
        return KerasInitializer.HE_UNIFORM;
    }

    /** Keras {@code LecunNormal}: truncated normal, std sqrt(1 / fanIn) after truncation. */
    static Initializer lecunNormal() {
        return KerasInitializer.LECUN_NORMAL;
    }

    /** Keras {@code LecunUniform}: uniform in ±sqrt(3 / fanIn). */
    static Initializer lecunUniform() {
        return KerasInitializer.LECUN_UNIFORM;
    }

    /**
     * Keras {@code VarianceScaling}: variance {@code scale / n} where n is fanIn ("fan_in"), fanOut
     * ("fan_out") or their mean ("fan_avg"); distribution "truncated_normal" (std divided by
     * 0.8796…, the std of a unit normal cut at ±2, so the result has the variance asked for),
     * "untruncated_normal" or "uniform" (limit sqrt(3 · scale / n)).
     */
    static Initializer varianceScaling(double scale, String mode, String distribution) {
        return KerasInitializer.varianceScaling(scale, mode, distribution);
    }

    /**
     * Keras {@code Orthogonal(gain=1)}: the shape flattened to [product of all axes but the last,
     * last] has orthonormal rows or columns (whichever are fewer), from the QR decomposition of a
     * seeded normal matrix with the signs of R's diagonal. Keras's default recurrent initializer.
     */
    static Initializer orthogonal() {
        return orthogonal(1f);
    }

    /** Keras {@code Orthogonal(gain)}: {@link #orthogonal()} times {@code gain}. */
    static Initializer orthogonal(float gain) {
        return KerasInitializer.orthogonal(gain);
    }

    /** Keras {@code RandomNormal()}: mean 0, std 0.05. */
    static Initializer randomNormal() {
        return randomNormal(0f, 0.05f);
    }

    /** Keras {@code RandomNormal(mean, stddev)}. */
    static Initializer randomNormal(float mean, float std) {
        return KerasInitializer.randomNormal(mean, std);
    }

    /** Keras {@code RandomUniform()}: uniform in [-0.05, 0.05). */
    static Initializer randomUniform() {
        return randomUniform(-0.05f, 0.05f);
    }

    /** Keras {@code RandomUniform(minval, maxval)}: uniform in [low, high). */
    static Initializer randomUniform(float low, float high) {
        return KerasInitializer.randomUniform(low, high);
    }

    /** Keras {@code TruncatedNormal()}: mean 0, std 0.05, values beyond two std redrawn. */
    static Initializer truncatedNormal() {
        return truncatedNormal(0f, 0.05f);
    }

    /** Keras {@code TruncatedNormal(mean, stddev)}: values more than 2 · stddev from the mean redrawn. */
    static Initializer truncatedNormal(float mean, float std) {
        return KerasInitializer.truncatedNormal(mean, std);
    }
}
