package dev.isthmus.nn.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.backend.Backends;
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
}
