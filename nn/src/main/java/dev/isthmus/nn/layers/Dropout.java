package dev.isthmus.nn.layers;

import dev.isthmus.nn.backend.Backends;
import dev.isthmus.nn.backend.StepValues;
import dev.isthmus.nn.tensor.Tensor;
import java.util.Map;

/**
 * Keras {@code Dropout}: in training, zeroes each value with probability {@code rate} and scales
 * the rest by 1 / (1 - rate); at inference, the identity. The mask of each call comes from a
 * seeded counter, so a seeded run is reproducible.
 */
public final class Dropout extends Layer {
    private final float rate;
    private final long baseSeed;
    private long seed;
    private long calls;

    /**
     * Dropout of {@code rate} (the fraction of values zeroed in training) with a default base seed; as with any
     * seed, the masks also depend on the seed the model gives the layer at build.
     * @throws IllegalArgumentException if {@code rate} is not in [0, 1)
     */
    public Dropout(float rate) {
        this(rate, 0x5EEDL);
    }

    /**
     * Dropout of {@code rate} (the fraction of values zeroed in training) whose masks come from {@code seed} mixed
     * with the seed the model gives the layer at build.
     * @throws IllegalArgumentException if {@code rate} is not in [0, 1)
     */
    public Dropout(float rate, long seed) {
        if (!(rate >= 0f && rate < 1f)) {
            throw new IllegalArgumentException("Dropout rate must be in [0, 1), got " + rate);
        }
        this.rate = rate;
        this.baseSeed = seed;
        this.seed = seed;
    }

    @Override
    public int[] computeOutputShape(int[] inputShape) {
        return inputShape;
    }

    @Override
    protected void createParameters(int[] inputShape, long seed, Map<String, Tensor> into) {
        this.seed = baseSeed ^ seed; // set, not accumulated: a build that failed elsewhere may be repeated
    }

    @Override
    protected Tensor forward(Tensor x, boolean training) {
        if (!training || rate == 0f) {
            return x;
        }
        return x.mul(keepMask(x.shape(), rate, this::nextSeed));
    }

    /**
     * A mask of {@code shape}: 1 / (1 - rate) where a uniform draw exceeds {@code rate}, else 0, the
     * draws from the next seed. In a replayable step the seed comes from a device cell the host
     * fills before each step, so a captured graph draws new masks. Dropout's and SpatialDropout1D's.
     */
    static Tensor keepMask(int[] shape, float rate, java.util.function.LongSupplier nextSeed) {
        StepValues values = StepValues.current();
        if (values == null && Backends.of(Backends.defaultDevice()).fusesDropoutMask()) {
            // one pass, the same bits as the three ops below
            Tensor mask = Tensor.empty(Backends.defaultDevice(), shape);
            mask.backend().dropoutMask(mask, rate, 1f / (1f - rate), nextSeed.getAsLong());
            return mask;
        }
        Tensor draws = values == null
                ? Tensor.uniform(shape, 0f, 1f, nextSeed.getAsLong())
                : Tensor.uniform(shape, 0f, 1f, values.int64("dropout seed", nextSeed));
        return draws.gt(Tensor.full(rate, 1)).mul(1f / (1f - rate));
    }

    @Override
    public long randomDraws() {
        return calls;
    }

    @Override
    public void restoreRandomDraws(long draws) {
        if (draws < 0) {
            throw new IllegalArgumentException("Dropout draws must be >= 0, got " + draws);
        }
        calls = draws;
    }

    private long nextSeed() {
        return seed + 0x9E3779B97F4A7C15L * ++calls;
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("rate", rate);
    }
}
