package dev.isthmus.nn.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * SGEMM in plain Java loops (no Vector API). op(B) is copied block by block (KB rows x NB columns,
 * 256 KiB, so it stays in L2) into one float[] per row; then each group of RB rows of C is loaded,
 * updated with {@code c[i][j] += (alpha*a[i][p]) * b[p][j]} in p-j order (the inner loop runs along
 * contiguous arrays, so the JIT's auto-vectorizer can use SIMD, and each element of B feeds RB rows),
 * and stored back. Every element is summed in the same order (beta*C first, then p ascending)
 * whatever the blocking and the number of threads, which split the row groups among them.
 */
final class PlainSgemmKernel {
    private PlainSgemmKernel() {
    }

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Columns per block. */
    private static final int NB = 512;
    /** Depth per block. */
    private static final int KB = 128;
    /** Rows of C updated together. */
    private static final int RB = 4;
    private static final long PARALLEL_MIN_FMAS = 1L << 20;

    /** The caller has checked the arguments; m, n, k > 0. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     MemorySegment a, long aOffset, int lda,
                     MemorySegment b, long bOffset, int ldb,
                     float beta, MemorySegment c, long cOffset, int ldc,
                     CpuThreads threads) {
        int groups = (m + RB - 1) / RB;
        boolean parallel = threads.count() > 1 && (long) m * n * k >= PARALLEL_MIN_FMAS && groups > 1;
        int tasks = parallel ? Math.min(groups, threads.count() * 4) : 1;
        float[][] bp = new float[Math.min(k, KB)][Math.min(n, NB)];
        for (int j0 = 0; j0 < n; j0 += NB) {
            int nb = Math.min(NB, n - j0);
            for (int p0 = 0; p0 < k; p0 += KB) {
                int kb = Math.min(KB, k - p0);
                packB(transB, b, bOffset, ldb, p0, kb, j0, nb, bp);
                boolean first = p0 == 0;
                int j = j0, p = p0;
                if (tasks == 1) {
                    rows(0, m, transA, alpha, a, aOffset, lda, p, kb, j, nb, bp, first, beta, c, cOffset, ldc);
                } else {
                    threads.parallelFor(tasks, t -> {
                        int g0 = (int) ((long) groups * t / tasks);
                        int g1 = (int) ((long) groups * (t + 1) / tasks);
                        rows(g0 * RB, Math.min(m, g1 * RB), transA, alpha, a, aOffset, lda, p, kb, j, nb, bp, first,
                                beta, c, cOffset, ldc);
                    });
                }
            }
        }
    }

    /** Rows [i0, i1) of C, columns [j0, j0+nb), for the depth block [p0, p0+kb) packed in bp. */
    private static void rows(int i0, int i1, boolean transA, float alpha, MemorySegment a, long aOffset, int lda,
                             int p0, int kb, int j0, int nb, float[][] bp, boolean first, float beta,
                             MemorySegment c, long cOffset, int ldc) {
        float[][] acc = new float[RB][nb];
        float[] av = new float[RB * kb];
        for (int i = i0; i < i1; i += RB) {
            int r = Math.min(RB, i1 - i);
            for (int rr = 0; rr < r; rr++) {
                float[] row = acc[rr];
                long crow = (cOffset + (long) (i + rr) * ldc + j0) * Float.BYTES;
                if (first && beta == 0f) {
                    java.util.Arrays.fill(row, 0f);
                } else {
                    MemorySegment.copy(c, F, crow, row, 0, nb);
                    if (first && beta != 1f) {
                        for (int j = 0; j < nb; j++) {
                            row[j] = beta * row[j];
                        }
                    }
                }
                for (int p = 0; p < kb; p++) {
                    long idx = transA ? (long) (p0 + p) * lda + i + rr : (long) (i + rr) * lda + p0 + p;
                    av[rr * kb + p] = alpha * a.get(F, (aOffset + idx) * Float.BYTES);
                }
            }
            if (r == RB) {
                float[] c0 = acc[0];
                float[] c1 = acc[1];
                float[] c2 = acc[2];
                float[] c3 = acc[3];
                for (int p = 0; p < kb; p++) {
                    float a0 = av[p];
                    float a1 = av[kb + p];
                    float a2 = av[2 * kb + p];
                    float a3 = av[3 * kb + p];
                    float[] brow = bp[p];
                    for (int j = 0; j < nb; j++) {
                        float bj = brow[j];
                        c0[j] += a0 * bj;
                        c1[j] += a1 * bj;
                        c2[j] += a2 * bj;
                        c3[j] += a3 * bj;
                    }
                }
            } else {
                for (int rr = 0; rr < r; rr++) {
                    float[] row = acc[rr];
                    for (int p = 0; p < kb; p++) {
                        float ap = av[rr * kb + p];
                        float[] brow = bp[p];
                        for (int j = 0; j < nb; j++) {
                            row[j] += ap * brow[j];
                        }
                    }
                }
            }
            for (int rr = 0; rr < r; rr++) {
                MemorySegment.copy(acc[rr], 0, c, F, (cOffset + (long) (i + rr) * ldc + j0) * Float.BYTES, nb);
            }
        }
    }

    /**
     * bp[p][j] = op(B)[p0+p][j0+j] for p in [0, kb), j in [0, nb). One array per row, so that the
     * inner loops index B and C alike and C2 can vectorize them (it does not when two float arrays
     * are read and written at indices it cannot prove apart).
     */
    private static void packB(boolean transB, MemorySegment b, long bOffset, int ldb, int p0, int kb, int j0, int nb,
                              float[][] bp) {
        if (!transB) {
            for (int p = 0; p < kb; p++) {
                MemorySegment.copy(b, F, (bOffset + (long) (p0 + p) * ldb + j0) * Float.BYTES, bp[p], 0, nb);
            }
        } else {
            float[] row = new float[kb];
            for (int j = 0; j < nb; j++) {
                MemorySegment.copy(b, F, (bOffset + (long) (j0 + j) * ldb + p0) * Float.BYTES, row, 0, kb);
                for (int p = 0; p < kb; p++) {
                    bp[p][j] = row[p];
                }
            }
        }
    }
}
