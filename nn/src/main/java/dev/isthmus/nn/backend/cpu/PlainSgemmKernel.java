package dev.isthmus.nn.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * SGEMM in plain Java loops (no Vector API): C is first scaled by beta, then for each block of
 * depth, op(B) is copied into a row-major float[] and every row of C gets
 * {@code c[i][j] += (alpha*a[i][p]) * b[p][j]} in i-p-j order (the inner loop is contiguous, so the
 * JIT's auto-vectorizer can use SIMD). Rows are split among threads; each element is summed in the
 * same order whatever the thread count.
 */
final class PlainSgemmKernel {
    private PlainSgemmKernel() {
    }

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Floats of op(B) copied at once (a depth block of at most this many elements). */
    private static final int B_BLOCK_FLOATS = 1 << 20;
    /** Rows of C per parallel task. */
    private static final int ROWS_PER_TASK = 16;
    private static final long PARALLEL_MIN_FMAS = 1L << 20;

    /** The caller has checked the arguments; m, n, k > 0. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     MemorySegment a, long aOffset, int lda,
                     MemorySegment b, long bOffset, int ldb,
                     float beta, MemorySegment c, long cOffset, int ldc,
                     CpuThreads threads) {
        boolean parallel = threads.count() > 1 && (long) m * n * k >= PARALLEL_MIN_FMAS && m > 1;
        int kb = Math.max(1, Math.min(k, B_BLOCK_FLOATS / n));
        float[] bp = new float[kb * n];
        int tasks = (m + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        for (int p0 = 0; p0 < k; p0 += kb) {
            int kc = Math.min(kb, k - p0);
            packB(transB, b, bOffset, ldb, p0, kc, n, bp);
            boolean first = p0 == 0;
            int pc = p0;
            if (parallel) {
                threads.parallelFor(tasks, t -> rows(t * ROWS_PER_TASK, Math.min(m, (t + 1) * ROWS_PER_TASK), transA,
                        n, alpha, a, aOffset, lda, pc, kc, bp, first, beta, c, cOffset, ldc));
            } else {
                rows(0, m, transA, n, alpha, a, aOffset, lda, pc, kc, bp, first, beta, c, cOffset, ldc);
            }
        }
    }

    /** Rows [i0, i1) of C for the depth block [pc, pc+kc). */
    private static void rows(int i0, int i1, boolean transA, int n, float alpha, MemorySegment a, long aOffset, int lda,
                             int pc, int kc, float[] bp, boolean first, float beta,
                             MemorySegment c, long cOffset, int ldc) {
        float[] acc = new float[n];
        float[] arow = new float[kc];
        for (int i = i0; i < i1; i++) {
            long crow = (cOffset + (long) i * ldc) * Float.BYTES;
            if (first) {
                if (beta == 0f) {
                    java.util.Arrays.fill(acc, 0f);
                } else {
                    MemorySegment.copy(c, F, crow, acc, 0, n);
                    if (beta != 1f) {
                        for (int j = 0; j < n; j++) {
                            acc[j] *= beta;
                        }
                    }
                }
            } else {
                MemorySegment.copy(c, F, crow, acc, 0, n);
            }
            if (!transA) {
                MemorySegment.copy(a, F, (aOffset + (long) i * lda + pc) * Float.BYTES, arow, 0, kc);
            } else {
                for (int p = 0; p < kc; p++) {
                    arow[p] = a.get(F, (aOffset + (long) (pc + p) * lda + i) * Float.BYTES);
                }
            }
            for (int p = 0; p < kc; p++) {
                float ap = alpha * arow[p];
                int base = p * n;
                for (int j = 0; j < n; j++) {
                    acc[j] += ap * bp[base + j];
                }
            }
            MemorySegment.copy(acc, 0, c, F, crow, n);
        }
    }

    /** bp[p*n + j] = op(B)[pc+p][j] for p in [0, kc). */
    private static void packB(boolean transB, MemorySegment b, long bOffset, int ldb, int pc, int kc, int n,
                              float[] bp) {
        if (!transB) {
            for (int p = 0; p < kc; p++) {
                MemorySegment.copy(b, F, (bOffset + (long) (pc + p) * ldb) * Float.BYTES, bp, p * n, n);
            }
        } else {
            float[] row = new float[kc];
            for (int j = 0; j < n; j++) {
                MemorySegment.copy(b, F, (bOffset + (long) j * ldb + pc) * Float.BYTES, row, 0, kc);
                for (int p = 0; p < kc; p++) {
                    bp[p * n + j] = row[p];
                }
            }
        }
    }
}
