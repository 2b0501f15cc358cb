package dev.isthmus.nn.backend.cpu;

import dev.isthmus.nn.backend.Backend.Distribution;

/**
 * Counter-based random numbers: the value at index i is a pure function of (seed, i), so any
 * split of the work over threads (or a GPU grid) gives the same tensor. SplitMix64 finalizer.
 */
public final class CounterRandom {
    private CounterRandom() {
    }

    /**
     * A 64-bit hash of ({@code seed}, {@code counter}) (SplitMix64's finaliser): the source of every random number,
     * so that value i of a stream depends on nothing but the seed and i.
     */
    public static long mix(long seed, long counter) {
        long z = seed + (counter + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 24 bits of precision. */
    public static float uniform(long seed, long counter) {
        return bits24(seed, counter) * 0x1.0p-24f;
    }

    /** The integer k in [0, 2²⁴) of draw {@code counter}: {@link #uniform} is k·2⁻²⁴, exactly. */
    static long bits24(long seed, long counter) {
        return mix(seed, counter) >>> 40;
    }

    /** Standard normal by Box–Muller from counters 2i and 2i+1 of a derived stream. */
    public static float normal(long seed, long i) {
        double u1 = ((mix(seed, 2 * i) >>> 11) + 1) * 0x1.0p-53;
        double u2 = (mix(seed, 2 * i + 1) >>> 11) * 0x1.0p-53;
        return (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    }

    /**
     * Element {@code i} of stream {@code seed} drawn from {@code d} with parameters {@code a}, {@code b} (see
     * {@link Distribution}); the CPU reference for every backend's {@code random}.
     */
    public static float sample(Distribution d, float a, float b, long seed, long i) {
        return switch (d) {
            case UNIFORM -> a + (b - a) * uniform(seed, i);
            case NORMAL -> a + b * normal(seed, i);
            case TRUNCATED_NORMAL -> {
                long s = seed;
                float z = normal(s, i);
                while (Math.abs(z) > 2f) {
                    s = mix(s, -1);
                    z = normal(s, i);
                }
                yield a + b * z;
            }
            case BERNOULLI -> uniform(seed, i) < a ? 1f : 0f;
        };
    }
}
