package dev.isthmus.nn.backend.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Keras LSTM on the CPU. Forward: the input projection of every time step is one GEMM written
 * straight into the gates buffer [n, t, 4u]; each step then adds h(t-1)·U with one GEMM (strided
 * views, no copies) and applies the fused gate math in place. The recurrence keeps each step's c
 * in hc and clears all but the last when done (the backend contract). Backward rebuilds those
 * from the activated gates in a copy of hc, runs through time the same way and finishes with
 * three large GEMMs for the weight and input gradients.
 */
final class CpuLstm {
    private CpuLstm() {
    }

    private static float sigmoid(float v) {
        return Elementwise.sigmoid(v);
    }

    /** Whether sample i at step t is a real step (no mask means every step is). */
    private static boolean real(MemorySegment mask, int i, int t, int steps) {
        return mask == null || mask.getAtIndex(JAVA_FLOAT, (long) i * steps + t) != 0f;
    }

    static void forward(MemorySegment x, MemorySegment mask, MemorySegment w, MemorySegment u, MemorySegment bias,
                        int n, int steps, int d, int units, MemorySegment hc, MemorySegment gates, CpuThreads threads) {
        int g4 = 4 * units;
        int h2 = 2 * units;
        Sgemm.sgemm(false, false, n * steps, g4, d, 1f, x, 0, d, w, 0, g4, 0f, gates, 0, g4, threads);
        for (int t = 0; t < steps; t++) {
            if (t > 0) {
                Sgemm.sgemm(false, false, n, g4, units, 1f, hc, (long) (t - 1) * h2, steps * h2, u, 0, g4,
                        1f, gates, (long) t * g4, steps * g4, threads);
            }
            int step = t;
            for (int i = 0; i < n; i++) {
                long z = ((long) i * steps + step) * g4;
                long o = ((long) i * steps + step) * h2;
                long prev = o - h2;
                if (!real(mask, i, step, steps)) {
                    for (int j = 0; j < h2; j++) {
                        hc.setAtIndex(JAVA_FLOAT, o + j, step == 0 ? 0f : hc.getAtIndex(JAVA_FLOAT, prev + j));
                    }
                    continue;
                }
                for (int j = 0; j < units; j++) {
                    float gi = sigmoid(gates.getAtIndex(JAVA_FLOAT, z + j) + bias.getAtIndex(JAVA_FLOAT, j));
                    float gf = sigmoid(gates.getAtIndex(JAVA_FLOAT, z + units + j) + bias.getAtIndex(JAVA_FLOAT, units + j));
                    float gg = (float) Math.tanh(gates.getAtIndex(JAVA_FLOAT, z + 2 * units + j)
                            + bias.getAtIndex(JAVA_FLOAT, 2 * units + j));
                    float go = sigmoid(gates.getAtIndex(JAVA_FLOAT, z + 3 * units + j) + bias.getAtIndex(JAVA_FLOAT, 3 * units + j));
                    float cPrev = step == 0 ? 0f : hc.getAtIndex(JAVA_FLOAT, prev + units + j);
                    float c = gf * cPrev + gi * gg;
                    gates.setAtIndex(JAVA_FLOAT, z + j, gi);
                    gates.setAtIndex(JAVA_FLOAT, z + units + j, gf);
                    gates.setAtIndex(JAVA_FLOAT, z + 2 * units + j, gg);
                    gates.setAtIndex(JAVA_FLOAT, z + 3 * units + j, go);
                    hc.setAtIndex(JAVA_FLOAT, o + j, go * (float) Math.tanh(c));
                    hc.setAtIndex(JAVA_FLOAT, o + units + j, c);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < steps - 1; t++) {
                long o = ((long) i * steps + t) * h2;
                hc.asSlice((o + units) * Float.BYTES, (long) units * Float.BYTES).fill((byte) 0);
            }
        }
    }

    /** A copy of hc with c of every step rebuilt from the activated gates, as the forward computed it. */
    private static MemorySegment statesWithCells(MemorySegment mask, MemorySegment hc, MemorySegment gates, int n,
                                                 int steps, int units, Arena arena) {
        int g4 = 4 * units;
        int h2 = 2 * units;
        long bytes = (long) n * steps * h2 * Float.BYTES;
        MemorySegment states = arena.allocate(bytes, 64);
        states.copyFrom(hc.asSlice(0, bytes));
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < units; j++) {
                float c = 0f;
                for (int t = 0; t < steps; t++) {
                    long z = ((long) i * steps + t) * g4;
                    if (real(mask, i, t, steps)) {
                        c = gates.getAtIndex(JAVA_FLOAT, z + units + j) * c
                                + gates.getAtIndex(JAVA_FLOAT, z + j) * gates.getAtIndex(JAVA_FLOAT, z + 2 * units + j);
                    }
                    states.setAtIndex(JAVA_FLOAT, ((long) i * steps + t) * h2 + units + j, c);
                }
            }
        }
        return states;
    }

    static void backward(MemorySegment x, MemorySegment mask, MemorySegment w, MemorySegment u, MemorySegment hc,
                         MemorySegment gates, MemorySegment gHc, int n, int steps, int d, int units,
                         MemorySegment gx, MemorySegment gw, MemorySegment gu, MemorySegment gb, CpuThreads threads) {
        int g4 = 4 * units;
        int h2 = 2 * units;
        long rows = (long) n * steps;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment states = statesWithCells(mask, hc, gates, n, steps, units, arena);
            MemorySegment dz = arena.allocate(rows * g4 * Float.BYTES, 64);
            MemorySegment dh = arena.allocate((long) n * units * Float.BYTES, 64);
            MemorySegment dc = arena.allocate((long) n * units * Float.BYTES, 64);
            MemorySegment carried = arena.allocate((long) n * units * Float.BYTES, 64);
            for (int t = steps - 1; t >= 0; t--) {
                for (int i = 0; i < n; i++) {
                    long z = ((long) i * steps + t) * g4;
                    long o = ((long) i * steps + t) * h2;
                    long r = (long) i * units;
                    boolean isReal = real(mask, i, t, steps);
                    for (int j = 0; j < units; j++) {
                        float ghj = gHc.getAtIndex(JAVA_FLOAT, o + j) + dh.getAtIndex(JAVA_FLOAT, r + j);
                        // only the last step's c is an output; the earlier cell slots have no gradient
                        float gcj = (t == steps - 1 ? gHc.getAtIndex(JAVA_FLOAT, o + units + j) : 0f)
                                + dc.getAtIndex(JAVA_FLOAT, r + j);
                        if (!isReal) {
                            // a padded step passes both gradients through to the step before it
                            for (int q = 0; q < 4; q++) {
                                dz.setAtIndex(JAVA_FLOAT, z + q * units + j, 0f);
                            }
                            carried.setAtIndex(JAVA_FLOAT, r + j, ghj);
                            dc.setAtIndex(JAVA_FLOAT, r + j, gcj);
                            continue;
                        }
                        float gi = gates.getAtIndex(JAVA_FLOAT, z + j);
                        float gf = gates.getAtIndex(JAVA_FLOAT, z + units + j);
                        float gg = gates.getAtIndex(JAVA_FLOAT, z + 2 * units + j);
                        float go = gates.getAtIndex(JAVA_FLOAT, z + 3 * units + j);
                        float c = states.getAtIndex(JAVA_FLOAT, o + units + j);
                        float cPrev = t == 0 ? 0f : states.getAtIndex(JAVA_FLOAT, o - h2 + units + j);
                        float tc = (float) Math.tanh(c);
                        float dcTotal = gcj + ghj * go * (1 - tc * tc);
                        dz.setAtIndex(JAVA_FLOAT, z + j, dcTotal * gg * gi * (1 - gi));
                        dz.setAtIndex(JAVA_FLOAT, z + units + j, dcTotal * cPrev * gf * (1 - gf));
                        dz.setAtIndex(JAVA_FLOAT, z + 2 * units + j, dcTotal * gi * (1 - gg * gg));
                        dz.setAtIndex(JAVA_FLOAT, z + 3 * units + j, ghj * tc * go * (1 - go));
                        dc.setAtIndex(JAVA_FLOAT, r + j, dcTotal * gf);
                        carried.setAtIndex(JAVA_FLOAT, r + j, 0f);
                    }
                }
                // dh(t-1) = dz(t)·Uᵀ for real steps, plus what padded steps carried through
                Sgemm.sgemm(false, true, n, units, g4, 1f, dz, (long) t * g4, steps * g4, u, 0, g4,
                        0f, dh, 0, units, threads);
                for (long k = 0; k < (long) n * units; k++) {
                    dh.setAtIndex(JAVA_FLOAT, k, dh.getAtIndex(JAVA_FLOAT, k) + carried.getAtIndex(JAVA_FLOAT, k));
                }
            }
            Sgemm.sgemm(true, false, d, g4, (int) rows, 1f, x, 0, d, dz, 0, g4, 0f, gw, 0, g4, threads);
            Sgemm.sgemm(false, true, (int) rows, d, g4, 1f, dz, 0, g4, w, 0, g4, 0f, gx, 0, d, threads);
            // gU = Σ_t h(t-1)ᵀ·dz(t): h(t-1) rows of each sample line up with dz rows of step t
            gu.fill((byte) 0);
            for (int i = 0; i < n; i++) {
                if (steps > 1) {
                    Sgemm.sgemm(true, false, units, g4, steps - 1, 1f, states, (long) i * steps * h2, h2,
                            dz, ((long) i * steps + 1) * g4, g4, 1f, gu, 0, g4, threads);
                }
            }
            double[] sums = new double[g4];
            for (long r = 0; r < rows; r++) {
                for (int j = 0; j < g4; j++) {
                    sums[j] += dz.getAtIndex(JAVA_FLOAT, r * g4 + j);
                }
            }
            for (int j = 0; j < g4; j++) {
                gb.setAtIndex(JAVA_FLOAT, j, (float) sums[j]);
            }
        }
    }
}
