package dev.isthmus.nn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The LSTM at a batch large enough that its recurrences are split over threads by samples (each
 * thread running its samples' whole sequence): the same bits on 1, 2 and 3 threads, forward and
 * backward, and the forward as a double-precision step-by-step reference computes it.
 */
class CpuLstmTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final int N = 33;
    private static final int T = 7;
    private static final int D = 24;
    private static final int U = 64;

    private static MemorySegment random(Arena arena, long count, float scale, SplittableRandom r) {
        MemorySegment s = arena.allocate(count * Float.BYTES, 64);
        for (long i = 0; i < count; i++) {
            s.setAtIndex(F, i, (float) ((r.nextDouble() * 2 - 1) * scale));
        }
        return s;
    }

    private static double sig(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    @ParameterizedTest(name = "masked={0}")
    @ValueSource(booleans = {false, true})
    void samplesSplitOverThreadsGiveTheSameBitsAndTheReference(boolean masked) {
        SplittableRandom r = new SplittableRandom(masked ? 2 : 1);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = random(arena, (long) N * T * D, 1f, r);
            MemorySegment w = random(arena, (long) D * 4 * U, 0.3f, r);
            MemorySegment u = random(arena, (long) U * 4 * U, 0.3f, r);
            MemorySegment b = random(arena, 4 * U, 0.3f, r);
            MemorySegment gHc = random(arena, (long) N * T * 2 * U, 1f, r);
            MemorySegment mask = null;
            if (masked) {
                mask = arena.allocate((long) N * T * Float.BYTES, 64);
                for (int i = 0; i < N; i++) {
                    for (int t = 0; t < T; t++) {
                        // full, post-padded and pre-padded samples in turn
                        boolean real = switch (i % 3) {
                            case 0 -> true;
                            case 1 -> t < T - 1 - i % 4;
                            default -> t >= i % 5;
                        };
                        mask.setAtIndex(F, (long) i * T + t, real ? 1f : 0f);
                    }
                }
            }
            float[][] first = null;
            for (int threads = 1; threads <= 3; threads++) {
                MemorySegment hc = arena.allocate((long) N * T * 2 * U * Float.BYTES, 64);
                MemorySegment gates = arena.allocate((long) N * T * 4 * U * Float.BYTES, 64);
                MemorySegment gx = arena.allocate((long) N * T * D * Float.BYTES, 64);
                MemorySegment gw = arena.allocate((long) D * 4 * U * Float.BYTES, 64);
                MemorySegment gu = arena.allocate((long) U * 4 * U * Float.BYTES, 64);
                MemorySegment gb = arena.allocate(4L * U * Float.BYTES, 64);
                try (CpuThreads t = new CpuThreads(threads)) {
                    CpuLstm.forward(x, mask, w, u, b, N, T, D, U, hc, gates, t);
                    CpuLstm.backward(x, mask, w, u, hc, gates, gHc, N, T, D, U, gx, gw, gu, gb, t);
                }
                float[][] got = {hc.toArray(F), gates.toArray(F), gx.toArray(F), gw.toArray(F), gu.toArray(F),
                    gb.toArray(F)};
                if (first == null) {
                    first = got;
                    checkForward(x, mask, w, u, b, got[0]);
                } else {
                    for (int k = 0; k < got.length; k++) {
                        assertArrayEquals(first[k], got[k], threads + " threads, output " + k);
                    }
                }
            }
        }
    }

    /** h of every step against a plain Keras LSTM in double (masked steps carry the state). */
    private static void checkForward(MemorySegment x, MemorySegment mask, MemorySegment w, MemorySegment u,
                                     MemorySegment b, float[] hc) {
        for (int i = 0; i < N; i++) {
            double[] h = new double[U];
            double[] c = new double[U];
            for (int t = 0; t < T; t++) {
                if (mask == null || mask.getAtIndex(F, (long) i * T + t) != 0f) {
                    double[] z = new double[4 * U];
                    for (int j = 0; j < 4 * U; j++) {
                        z[j] = b.getAtIndex(F, j);
                        for (int k = 0; k < D; k++) {
                            z[j] += x.getAtIndex(F, ((long) i * T + t) * D + k) * w.getAtIndex(F, (long) k * 4 * U + j);
                        }
                        for (int k = 0; k < U; k++) {
                            z[j] += h[k] * u.getAtIndex(F, (long) k * 4 * U + j);
                        }
                    }
                    double[] nh = new double[U];
                    for (int j = 0; j < U; j++) {
                        c[j] = sig(z[U + j]) * c[j] + sig(z[j]) * Math.tanh(z[2 * U + j]);
                        nh[j] = sig(z[3 * U + j]) * Math.tanh(c[j]);
                    }
                    h = nh;
                }
                for (int j = 0; j < U; j++) {
                    assertEquals(h[j], hc[(i * T + t) * 2 * U + j], 1e-4, "h[" + i + "][" + t + "][" + j + "]");
                }
            }
        }
    }
}
