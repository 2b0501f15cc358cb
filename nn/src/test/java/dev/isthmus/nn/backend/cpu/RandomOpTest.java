package dev.isthmus.nn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.nn.backend.Backend.Distribution;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The CPU's random op against {@link CounterRandom#sample}, the reference every backend follows. */
class RandomOpTest {
    /**
     * Uniform draws (the op's own loop) and normal ones (through sample) are sample's values bit for
     * bit, for several ranges and seeds, up to more elements than one thread fills.
     */
    @Test
    void drawsAreCounterRandomSamplesBitForBit() {
        for (int n : new int[] {1, 17, (1 << 18) + 5}) {
            for (float[] range : new float[][] {{0f, 1f}, {-1f, 1f}, {-0.05f, 0.05f}, {3f, 7.5f}}) {
                for (long seed : new long[] {0L, 42L, -9L}) {
                    try (Scope ignored = Scope.open("random op")) {
                        float[] u = Tensor.uniform(new int[] {n}, range[0], range[1], seed).toArray();
                        float[] g = Tensor.normal(new int[] {n}, range[0], range[1], seed).toArray();
                        for (int i = 0; i < n; i++) {
                            assertEquals(Float.floatToRawIntBits(CounterRandom.sample(Distribution.UNIFORM, range[0],
                                    range[1], seed, i)), Float.floatToRawIntBits(u[i]), "uniform " + i + " of " + n);
                            assertEquals(Float.floatToRawIntBits(CounterRandom.sample(Distribution.NORMAL, range[0],
                                    range[1], seed, i)), Float.floatToRawIntBits(g[i]), "normal " + i + " of " + n);
                        }
                    }
                }
            }
        }
    }
}
