package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.Map;

/**
 * Keras {@code SpatialDropout1D(rate)}: in training, zeroes whole feature channels of each sample
 * ([batch, time, features]: one draw per sample and feature, shared by every step) with probability
 * {@code rate} and scales the rest by 1 / (1 - rate); at inference, the identity. The masks are
 * {@link Dropout}'s, one draw per sample and channel: seeded, and new each step of a replayed graph.
 */
public final class SpatialDropout1D extends Layer {
    private final float rate;
    private long seed = 0x5EED1DL;
    private long calls;

    /** @throws IllegalArgumentException if rate is not in [0, 1) */
    public SpatialDropout1D(float rate) {
        if (!(rate >= 0f && rate < 1f)) {
            throw new IllegalArgumentException("SpatialDropout1D rate must be in [0, 1), got " + rate);
        }
        this.rate = rate;
    }

    @Override
    public int[] computeOutputShape(int[] s) {
        if (s.length != 2) {
            throw new IllegalArgumentException("SpatialDropout1D expects [time, features] per sample, got "
                    + java.util.Arrays.toString(s));
        }
        return s;
    }

    @Override
    protected void createParameters(int[] inputShape, long seed, Map<String, Tensor> into) {
        this.seed = 0x5EED1DL ^ seed;
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (!training || rate == 0f) {
            return x;
        }
        return x.mul(Dropout.keepMask(new int[] {x.size(0), 1, x.size(2)}, rate, () -> seed + 0x9E3779B97F4A7C15L * ++calls));
    }

    @Override
    public long randomDraws() {
        return calls;
    }

    @Override
    public void restoreRandomDraws(long draws) {
        if (draws < 0) {
            throw new IllegalArgumentException("SpatialDropout1D draws must be >= 0, got " + draws);
        }
        calls = draws;
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("rate", rate);
    }
}
