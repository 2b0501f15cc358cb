package dev.isthmus.nn.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.backend.Backends;
import dev.isthmus.nn.backend.cpu.CounterRandom;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The CPU's one-pass dropout mask against the three ops it replaces. */
class DropoutMaskTest {
    /**
     * Bit for bit what uniform draws, {@code gt(rate)} and {@code mul(1 / (1 - rate))} give, for
     * rates from 0.1 to 0.9, several seeds, and sizes from one element to more than the threads'
     * chunking threshold (and an odd count past it), with about the expected share kept.
     */
    @Test
    void theFusedMaskIsTheComposedOneBitForBit() {
        assertTrue(Backends.cpu().fusesDropoutMask(), "the CPU backend fuses the dropout mask");
        for (int[] shape : new int[][] {{1}, {7, 3}, {64, 20, 32}, {(1 << 18) + 37}}) {
            for (float rate : new float[] {0.1f, 0.3f, 0.5f, 0.9f}) {
                for (long seed : new long[] {0L, 42L, -7L, 0x9E3779B97F4A7C15L}) {
                    try (Scope ignored = Scope.open("dropout mask")) {
                        float[] fused = Dropout.keepMask(shape, rate, () -> seed).toArray();
                        float[] composed = Tensor.uniform(shape, 0f, 1f, seed).gt(Tensor.full(rate, 1))
                                .mul(1f / (1f - rate)).toArray();
                        assertEquals(composed.length, fused.length);
                        int kept = 0;
                        for (int i = 0; i < fused.length; i++) {
                            if (Float.floatToRawIntBits(fused[i]) != Float.floatToRawIntBits(composed[i])) {
                                throw new AssertionError("rate " + rate + ", seed " + seed + ", element " + i + " of "
                                        + fused.length + ": fused " + fused[i] + ", composed " + composed[i]);
                            }
                            kept += fused[i] != 0f ? 1 : 0;
                        }
                        if (fused.length > 10_000) {
                            double share = (double) kept / fused.length;
                            assertTrue(Math.abs(share - (1 - rate)) < 0.02, "kept " + share + " at rate " + rate);
                        }
                    }
                }
            }
        }
    }

    /**
     * The backend's mask at the edges of its integer comparison and for any scale: rates that are
     * draws themselves (k·2⁻²⁴, where a draw equal to the rate is dropped), 0, 1 and the float just
     * below 1, negative, infinite and NaN rates, and scales that are negative or infinite (a dropped
     * element is then NaN, as ∞·0 + 0 is), against the composed ops bit for bit.
     */
    @Test
    void theBackendsMaskMatchesTheComposedOpsAtTheEdges() {
        int[] shape = {40_000};
        float[] rates = {0f, 0x1p-24f, 0.5f, 0.3f, 0x1.fffffep-1f, 1f, 1.5f, -0.25f, Float.NEGATIVE_INFINITY,
            Float.POSITIVE_INFINITY, Float.NaN};
        float[] scales = {2f, 1f / 0.7f, -3f, Float.POSITIVE_INFINITY};
        // rates equal to some element's draw and one float either side of it: that element sits on the
        // comparison's edge (dropped at its own draw, kept just below it)
        float[] drawn = new float[9];
        for (int j = 0; j < 3; j++) {
            float u = CounterRandom.uniform(5L, 1000 + 7919L * j);
            drawn[3 * j] = u;
            drawn[3 * j + 1] = Math.nextDown(u);
            drawn[3 * j + 2] = Math.nextUp(u);
        }
        float[] all = java.util.Arrays.copyOf(rates, rates.length + drawn.length);
        System.arraycopy(drawn, 0, all, rates.length, drawn.length);
        for (float rate : all) {
            for (float scale : scales) {
                try (Scope ignored = Scope.open("dropout mask edges")) {
                    Tensor out = Tensor.zeros(shape);
                    out.backend().dropoutMask(out, rate, scale, 5L);
                    float[] fused = out.toArray();
                    float[] composed = Tensor.uniform(shape, 0f, 1f, 5L).gt(Tensor.full(rate, 1)).mul(scale).toArray();
                    for (int i = 0; i < fused.length; i++) {
                        if (Float.floatToRawIntBits(fused[i]) != Float.floatToRawIntBits(composed[i])) {
                            throw new AssertionError("rate " + rate + ", scale " + scale + ", element " + i
                                    + ": fused " + fused[i] + ", composed " + composed[i]);
                        }
                    }
                }
            }
        }
    }
}
