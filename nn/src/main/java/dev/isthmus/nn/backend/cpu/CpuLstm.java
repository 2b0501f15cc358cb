package dev.isthmus.nn.backend.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.isthmus.nn.backend.BinaryOp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Keras LSTM on the CPU. Forward: the input projection of every time step is one GEMM written
 * straight into the gates buffer [n, t, 4u]; each step then adds h(t-1)·U with one GEMM (strided
 * views, no copies) and applies the fused gate math in place. The recurrence keeps each step's c
 * in hc and clears all but the last when done (the backend contract). Backward rebuilds those
 * cells from the activated gates ([n, t, u]; h of every step is read from hc), runs through time
 * the same way and finishes with two large GEMMs: the input gradient, and both weight gradients
 * as one product.
 */
final class CpuLstm {
    /** Elements (samples × units) of one time step from which its gate math is split over threads. */
    private static final long PARALLEL_ELEMENTS = 1024;
    private static final boolean VECTOR = Sgemm.vectorized();

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
        Sgemm.PackedB recurrent = Sgemm.pack(false, units, g4, u, 0, g4);
        int parts = sequenceParts(n, units, threads);
        if (parts > 1) {
            // each thread runs its samples' whole recurrence: one hand-off, not two every step
            threads.parallelFor(parts, p -> {
                int i0 = (int) ((long) n * p / parts);
                int i1 = (int) ((long) n * (p + 1) / parts);
                for (int t = 0; t < steps; t++) {
                    if (t > 0) {
                        Sgemm.sgemm(false, i1 - i0, 1f, hc, ((long) i0 * steps + t - 1) * h2, steps * h2, recurrent, 1f,
                                gates, ((long) i0 * steps + t) * g4, steps * g4, Sgemm.ONE_THREAD);
                    }
                    gateStep(mask, bias, n, steps, units, t, i0, i1, hc, gates);
                }
            });
        } else {
            for (int t = 0; t < steps; t++) {
                if (t > 0) {
                    Sgemm.sgemm(false, n, 1f, hc, (long) (t - 1) * h2, steps * h2, recurrent, 1f, gates, (long) t * g4,
                            steps * g4, threads);
                }
                int step = t;
                forSamples(n, units, threads, (i0, i1) -> gateStep(mask, bias, n, steps, units, step, i0, i1, hc, gates));
            }
        }
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < steps - 1; t++) {
                long o = ((long) i * steps + t) * h2;
                hc.asSlice((o + units) * Float.BYTES, (long) units * Float.BYTES).fill((byte) 0);
            }
        }
    }

    /**
     * Parts of the batch whose recurrences run on threads of their own, or 1 to split each step
     * instead. Samples do not interact, and each part's recurrent product (at least n / parts rows)
     * stays on the vector kernel that the whole batch's would use, so every sample's arithmetic,
     * and the result, is the same either way.
     */
    private static int sequenceParts(int n, int units, CpuThreads threads) {
        int parts = Math.min(n, threads.count());
        if (parts < 2 || (long) n * units < PARALLEL_ELEMENTS
                || (long) (n / parts) * 4 * units * units < Sgemm.SMALL_FMAS) {
            return 1;
        }
        return parts;
    }

    /** The work of one time step for samples [i0, i1). */
    @FunctionalInterface
    private interface Samples {
        void run(int i0, int i1);
    }

    /**
     * Splits the samples of one time step over the threads when the step has enough elements to
     * pay for the hand-off. Each sample's arithmetic is the same whoever runs it.
     */
    private static void forSamples(int n, int units, CpuThreads threads, Samples body) {
        int parts = (long) n * units < PARALLEL_ELEMENTS ? 1 : Math.min(n, threads.count());
        if (parts == 1) {
            body.run(0, n);
            return;
        }
        threads.parallelFor(parts, p -> body.run((int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts)));
    }

    /**
     * The gate math of step t for samples [i0, i1), in place: pre-activations (input and recurrent
     * projections) become activated gates, and h, c of the step are written to hc. Rows are staged
     * in float[]: the JIT compiles array loops far better than per-element segment accesses.
     */
    private static void gateStep(MemorySegment mask, MemorySegment bias, int n, int steps, int units, int t, int i0,
                                 int i1, MemorySegment hc, MemorySegment gates) {
        int g4 = 4 * units;
        int h2 = 2 * units;
        float[] b = new float[g4];
        float[] z = new float[g4];
        float[] prev = new float[h2];
        float[] out = new float[h2];
        float[] e = VECTOR ? new float[g4] : null;
        MemorySegment.copy(bias, JAVA_FLOAT, 0, b, 0, g4);
        for (int i = i0; i < i1; i++) {
            long zAt = ((long) i * steps + t) * g4;
            long o = ((long) i * steps + t) * h2;
            if (!real(mask, i, t, steps)) {
                // a padded step carries the state of the step before (zeros at the first)
                if (t > 0) {
                    MemorySegment.copy(hc, JAVA_FLOAT, (o - h2) * Float.BYTES, prev, 0, h2);
                }
                MemorySegment.copy(prev, 0, hc, JAVA_FLOAT, o * Float.BYTES, h2);
                continue;
            }
            if (t > 0) {
                // the gate math reads only the previous c (h(t-1) is in the recurrent product already)
                MemorySegment.copy(hc, JAVA_FLOAT, (o - h2 + units) * Float.BYTES, prev, units, units);
            }
            MemorySegment.copy(gates, JAVA_FLOAT, zAt * Float.BYTES, z, 0, g4);
            for (int j = VECTOR ? VectorGates.forward(z, b, prev, out, e, units) : 0; j < units; j++) {
                float gi = sigmoid(z[j] + b[j]);
                float gf = sigmoid(z[units + j] + b[units + j]);
                float gg = (float) Math.tanh(z[2 * units + j] + b[2 * units + j]);
                float go = sigmoid(z[3 * units + j] + b[3 * units + j]);
                float c = gf * prev[units + j] + gi * gg;
                z[j] = gi;
                z[units + j] = gf;
                z[2 * units + j] = gg;
                z[3 * units + j] = go;
                out[j] = go * (float) Math.tanh(c);
                out[units + j] = c;
            }
            MemorySegment.copy(z, 0, gates, JAVA_FLOAT, zAt * Float.BYTES, g4);
            MemorySegment.copy(out, 0, hc, JAVA_FLOAT, o * Float.BYTES, h2);
        }
    }

    /**
     * c of every step, [n, steps, units], rebuilt from the activated gates as the forward computed it
     * (hc keeps only the last step's; its h of every step is intact, and is read there).
     */
    private static MemorySegment cells(MemorySegment mask, MemorySegment gates, int n, int steps, int units,
                                       Arena arena, CpuThreads threads) {
        MemorySegment cells = arena.allocate((long) n * steps * units * Float.BYTES, 64);
        forSamples(n, units * steps, threads, (i0, i1) -> rebuildCells(mask, gates, n, steps, units, i0, i1, cells));
        return cells;
    }

    /** c of every step of samples [i0, i1) into cells, from the activated gates (i, f and g are read). */
    private static void rebuildCells(MemorySegment mask, MemorySegment gates, int n, int steps, int units, int i0,
                                     int i1, MemorySegment cells) {
        int g4 = 4 * units;
        float[] c = new float[units];
        float[] z = new float[3 * units];
        for (int i = i0; i < i1; i++) {
            java.util.Arrays.fill(c, 0f);
            for (int t = 0; t < steps; t++) {
                long row = (long) i * steps + t;
                if (real(mask, i, t, steps)) {
                    MemorySegment.copy(gates, JAVA_FLOAT, row * g4 * Float.BYTES, z, 0, 3 * units);
                    for (int j = 0; j < units; j++) {
                        c[j] = z[units + j] * c[j] + z[j] * z[2 * units + j];
                    }
                }
                MemorySegment.copy(c, 0, cells, JAVA_FLOAT, row * units * Float.BYTES, units);
            }
        }
    }

    /**
     * Step t of back-propagation through time for samples [i0, i1): the gate gradients dz(t) from
     * the gradient reaching h(t) (from the output and from step t+1) and c(t); dc becomes the
     * gradient of c(t-1), and carried what a padded step passes to h(t-1) unchanged.
     */
    private static void gateGradients(MemorySegment mask, MemorySegment cells, MemorySegment gates, MemorySegment gHc,
                                      int steps, int units, int t, int i0, int i1, MemorySegment dz, MemorySegment dh,
                                      MemorySegment dc, MemorySegment carried) {
        int g4 = 4 * units;
        int h2 = 2 * units;
        // only the last step's c is an output; the earlier cell slots have no gradient
        boolean last = t == steps - 1;
        float[] gh = new float[h2];
        float[] z = new float[g4];
        float[] st = new float[h2];
        float[] stPrev = new float[h2];
        float[] dhr = new float[units];
        float[] dcr = new float[units];
        float[] dzr = new float[g4];
        float[] car = new float[units];
        float[] tcs = new float[units];
        // the samples' dh, dc and carries lie side by side: one copy each way for the block, not one a
        // row; of each row's own data only what the step reads is copied (the output gradient's c half
        // only at the last step, and the cells of this step and the one before)
        int count = (i1 - i0) * units;
        long blockAt = (long) i0 * units * Float.BYTES;
        float[] dhBlock = new float[count];
        float[] dcBlock = new float[count];
        float[] carBlock = new float[count];
        MemorySegment.copy(dh, JAVA_FLOAT, blockAt, dhBlock, 0, count);
        MemorySegment.copy(dc, JAVA_FLOAT, blockAt, dcBlock, 0, count);
        for (int i = i0; i < i1; i++) {
            long zAt = ((long) i * steps + t) * g4;
            long o = ((long) i * steps + t) * h2;
            int r = (i - i0) * units;
            MemorySegment.copy(gHc, JAVA_FLOAT, o * Float.BYTES, gh, 0, last ? h2 : units);
            System.arraycopy(dhBlock, r, dhr, 0, units);
            System.arraycopy(dcBlock, r, dcr, 0, units);
            if (!real(mask, i, t, steps)) {
                // a padded step passes both gradients through to the step before it
                for (int j = 0; j < units; j++) {
                    car[j] = gh[j] + dhr[j];
                    dcr[j] = (last ? gh[units + j] : 0f) + dcr[j];
                }
                java.util.Arrays.fill(dzr, 0f);
            } else {
                MemorySegment.copy(gates, JAVA_FLOAT, zAt * Float.BYTES, z, 0, g4);
                long cellAt = ((long) i * steps + t) * units * Float.BYTES;
                MemorySegment.copy(cells, JAVA_FLOAT, cellAt, st, units, units);
                if (t > 0) {
                    MemorySegment.copy(cells, JAVA_FLOAT, cellAt - (long) units * Float.BYTES, stPrev, units, units);
                }
                for (int j = VECTOR ? VectorGates.tanh(st, units, tcs, units) : 0; j < units; j++) {
                    tcs[j] = (float) Math.tanh(st[units + j]);
                }
                int done = VECTOR ? VectorGates.backward(gh, dhr, dcr, z, t == 0 ? null : stPrev, tcs, last, dzr, car,
                        units) : 0;
                for (int j = done; j < units; j++) {
                    float ghj = gh[j] + dhr[j];
                    float gcj = (last ? gh[units + j] : 0f) + dcr[j];
                    float gi = z[j];
                    float gf = z[units + j];
                    float gg = z[2 * units + j];
                    float go = z[3 * units + j];
                    float cPrev = t == 0 ? 0f : stPrev[units + j];
                    float tc = tcs[j];
                    float dcTotal = gcj + ghj * go * (1 - tc * tc);
                    dzr[j] = dcTotal * gg * gi * (1 - gi);
                    dzr[units + j] = dcTotal * cPrev * gf * (1 - gf);
                    dzr[2 * units + j] = dcTotal * gi * (1 - gg * gg);
                    dzr[3 * units + j] = ghj * tc * go * (1 - go);
                    dcr[j] = dcTotal * gf;
                    car[j] = 0f;
                }
            }
            MemorySegment.copy(dzr, 0, dz, JAVA_FLOAT, zAt * Float.BYTES, g4);
            System.arraycopy(dcr, 0, dcBlock, r, units);
            if (!real(mask, i, t, steps)) {
                // a real step carries nothing: its slots of the (zeroed) block stay zero
                System.arraycopy(car, 0, carBlock, r, units);
            }
        }
        MemorySegment.copy(dcBlock, 0, dc, JAVA_FLOAT, blockAt, count);
        MemorySegment.copy(carBlock, 0, carried, JAVA_FLOAT, blockAt, count);
    }

    static void backward(MemorySegment x, MemorySegment mask, MemorySegment w, MemorySegment u, MemorySegment hc,
                         MemorySegment gates, MemorySegment gHc, int n, int steps, int d, int units,
                         MemorySegment gx, MemorySegment gw, MemorySegment gu, MemorySegment gb, CpuThreads threads) {
        int g4 = 4 * units;
        int h2 = 2 * units;
        long rows = (long) n * steps;
        // the large buffers come from the reused workspace (every element is written before it is
        // read); the per-sample carries start at zero
        try (Arena arena = Arena.ofShared();
             Workspace.Block dzBlock = Workspace.take(rows * g4 * Float.BYTES);
             Workspace.Block inputsBlock = Workspace.take(rows * (d + units) * Float.BYTES)) {
            MemorySegment cells = cells(mask, gates, n, steps, units, arena, threads);
            MemorySegment dz = dzBlock.memory();
            MemorySegment dh = arena.allocate((long) n * units * Float.BYTES, 64);
            MemorySegment dc = arena.allocate((long) n * units * Float.BYTES, 64);
            MemorySegment carried = arena.allocate((long) n * units * Float.BYTES, 64);
            Sgemm.PackedB recurrentT = Sgemm.pack(true, g4, units, u, 0, g4);
            int parts = sequenceParts(n, units, threads);
            if (parts > 1) {
                threads.parallelFor(parts, p -> {
                    int i0 = (int) ((long) n * p / parts);
                    int i1 = (int) ((long) n * (p + 1) / parts);
                    for (int t = steps - 1; t >= 0; t--) {
                        gateGradients(mask, cells, gates, gHc, steps, units, t, i0, i1, dz, dh, dc, carried);
                        Sgemm.sgemm(false, i1 - i0, 1f, dz, ((long) i0 * steps + t) * g4, steps * g4, recurrentT, 0f,
                                dh, (long) i0 * units, units, Sgemm.ONE_THREAD);
                        Elementwise.binary(BinaryOp.ADD, dh, (long) i0 * units, 1, carried, (long) i0 * units, 1, dh,
                                (long) i0 * units, (long) (i1 - i0) * units);
                    }
                });
            } else {
                for (int t = steps - 1; t >= 0; t--) {
                    int step = t;
                    forSamples(n, units, threads, (i0, i1) -> gateGradients(mask, cells, gates, gHc, steps, units,
                            step, i0, i1, dz, dh, dc, carried));
                    // dh(t-1) = dz(t)·Uᵀ for real steps, plus what padded steps carried through
                    Sgemm.sgemm(false, n, 1f, dz, (long) t * g4, steps * g4, recurrentT, 0f, dh, 0, units, threads);
                    Elementwise.binary(BinaryOp.ADD, dh, 0, 1, carried, 0, 1, dh, 0, (long) n * units);
                }
            }
            Sgemm.sgemm(false, true, (int) rows, d, g4, 1f, dz, 0, g4, w, 0, g4, 0f, gx, 0, d, threads);
            // gW = Σ x(t)ᵀ·dz(t) and gU = Σ h(t-1)ᵀ·dz(t) over samples and steps, as one product
            // [x | h(t-1)]ᵀ·dz: row (i, t) of `inputs` holds sample i's x(t) and h(t-1) (zeros at t = 0)
            // and lines up with row (i, t) of dz. dz is packed once, not once for each, and each
            // element's sum is the one its own product would give (one depth order, whatever the rows).
            int width = d + units;
            MemorySegment inputs = inputsBlock.memory();
            for (long r = 0; r < rows; r++) {
                long at = r * width * Float.BYTES;
                MemorySegment.copy(x, r * d * Float.BYTES, inputs, at, (long) d * Float.BYTES);
                if (r % steps == 0) {
                    inputs.asSlice(at + (long) d * Float.BYTES, (long) units * Float.BYTES).fill((byte) 0);
                } else {
                    MemorySegment.copy(hc, (r - 1) * h2 * Float.BYTES, inputs, at + (long) d * Float.BYTES,
                            (long) units * Float.BYTES);
                }
            }
            MemorySegment both = arena.allocate((long) width * g4 * Float.BYTES, 64);
            Sgemm.sgemm(true, false, width, g4, (int) rows, 1f, inputs, 0, width, dz, 0, g4, 0f, both, 0, g4, threads);
            MemorySegment.copy(both, 0, gw, 0, (long) d * g4 * Float.BYTES);
            MemorySegment.copy(both, (long) d * g4 * Float.BYTES, gu, 0, (long) units * g4 * Float.BYTES);
            Elementwise.columnSums(dz, rows, g4, 0, g4, 1.0, gb);
        }
    }
}
