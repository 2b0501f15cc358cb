package dev.isthmus.nn.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API SGEMM (BLIS-style). Only {@link Sgemm} touches this class, and only after it has
 * checked that {@code jdk.incubator.vector} is present, so the rest of the library loads without it.
 *
 * <p>Loops, outermost first: column blocks of C ({@link #NC}), depth blocks ({@link #KC}) for which
 * op(B) is packed once into a shared buffer (in parallel), then tasks that each own a rectangle of C:
 * a task packs its rows of op(A) (times alpha) into a per-thread buffer and, tile row by tile row,
 * runs the MR x NR register-blocked micro-kernel along the packed B panels. Edge tiles are computed
 * on zero-padded panels and only their valid part is written. Every element of C is computed by one
 * task, summing over k in the same order (depth block by block, each block by a fused multiply-add
 * chain from zero, then added to C), so the result does not depend on the number of threads or on
 * how C is cut into tasks.
 */
final class VectorSgemmKernel {
    private VectorSgemmKernel() {
    }

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Lanes per vector. */
    static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** Vectors per micro-tile row; NR = NV * L columns. */
    static final int NV = 2;
    /** Micro-tile rows: 12 x 2 vectors = 24 accumulators when there are 32 vector registers (AVX-512). */
    static final int MR = L >= 16 ? 12 : 6;
    static final int NR = NV * L;
    /** Depth of a block: the packed A tile (MR x KC floats, 24 KiB) stays in L1 while B panels stream by. */
    static final int KC = Integer.getInteger("isthmus.sgemm.kc", 512);
    /** Rows of C per task (about; the row blocks are made a multiple of the thread count). */
    static final int MC = roundUp(Integer.getInteger("isthmus.sgemm.mc", 192), MR);
    /** Columns per outer block: KC x NC floats of packed op(B) (8 MiB), shared by all tasks, stay in L3. */
    static final int NC = roundUp(Integer.getInteger("isthmus.sgemm.nc", 4096), NR);
    /** Below this many multiply-adds one thread does everything (no fork/join). */
    private static final long PARALLEL_MIN_FMAS = 1L << 21;
    /** Below this many floats op(B) is packed by the calling thread alone. */
    private static final long PARALLEL_PACK_MIN = 1L << 17;

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /** Per-thread scratch: packed A block, packed B block (for the calling thread), rows, edge tile. */
    private static final class Buffers {
        float[] a = new float[0];
        float[] b = new float[0];
        float[] row = new float[0];
        final float[] tile = new float[MR * NR];

        float[] a(int size) {
            if (a.length < size) {
                a = new float[size];
            }
            return a;
        }

        float[] b(int size) {
            if (b.length < size) {
                b = new float[size];
            }
            return b;
        }

        float[] row(int size) {
            if (row.length < size) {
                row = new float[size];
            }
            return row;
        }
    }

    static String describe() {
        return "vector (FloatVector " + S.vectorBitSize() + "-bit, " + L + " lanes; micro-kernel " + MR + "x" + NR
                + ", MC=" + MC + " KC=" + KC + " NC=" + NC + ")";
    }

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /** The caller has checked the arguments; m, n, k > 0 and alpha != 0. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     MemorySegment a, long aOffset, int lda,
                     MemorySegment b, long bOffset, int ldb,
                     float beta, MemorySegment c, long cOffset, int ldc,
                     CpuThreads threads) {
        boolean parallel = threads.count() > 1 && (long) m * n * k >= PARALLEL_MIN_FMAS;
        int t = parallel ? threads.count() : 1;
        int mTiles = ceilDiv(m, MR);
        // Row blocks of about MC rows, as many as a multiple of the thread count when there are enough
        // tile rows; else the columns are cut too. (How C is cut does not change any result.)
        int mParts = Math.min(mTiles, roundUp(ceilDiv(m, MC), t));
        Buffers own = BUFFERS.get();
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int panels = ceilDiv(nc, NR);
            int nParts = mParts % t == 0 ? 1 : Math.min(panels, t);
            int tasks = mParts * nParts;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float[] bp = own.b(panels * NR * kc);
                int jcf = jc, pcf = pc;
                int packParts = parallel && (long) kc * nc >= PARALLEL_PACK_MIN ? Math.min(panels, t) : 1;
                if (packParts == 1) {
                    packB(transB, b, bOffset, ldb, pcf, kc, jcf, nc, 0, panels, bp, own);
                } else {
                    threads.parallelFor(packParts, q -> packB(transB, b, bOffset, ldb, pcf, kc, jcf, nc,
                            part(panels, packParts, q), part(panels, packParts, q + 1), bp, BUFFERS.get()));
                }
                int mode = pc > 0 ? 2 : beta == 0f ? 0 : 1;
                int mp = mParts, np = nParts;
                if (!parallel || tasks == 1) {
                    for (int task = 0; task < tasks; task++) {
                        block(part(mTiles, mp, task % mp), part(mTiles, mp, task % mp + 1),
                                part(panels, np, task / mp), part(panels, np, task / mp + 1), transA, m, alpha,
                                a, aOffset, lda, pcf, kc, jcf, nc, bp, beta, c, cOffset, ldc, mode, own);
                    }
                } else {
                    threads.parallelFor(tasks, task -> block(part(mTiles, mp, task % mp),
                            part(mTiles, mp, task % mp + 1), part(panels, np, task / mp),
                            part(panels, np, task / mp + 1), transA, m, alpha, a, aOffset, lda, pcf, kc, jcf, nc,
                            bp, beta, c, cOffset, ldc, mode, BUFFERS.get()));
                }
            }
        }
    }

    /** Start of part {@code p} of {@code count} items cut into {@code parts} near-equal parts. */
    private static int part(int count, int parts, int p) {
        return (int) ((long) count * p / parts);
    }

    /**
     * One task: the tile rows [t0, t1) (MR rows each) of C against the packed B panels [q0, q1) (NR
     * columns each). Packs its rows of op(A), then for each tile row runs along the panels, so that
     * the A tile stays in L1 while B streams from L2/L3 and the C tiles are visited row by row.
     */
    private static void block(int t0, int t1, int q0, int q1, boolean transA, int m, float alpha,
                              MemorySegment a, long aOffset, int lda, int pc, int kc, int jc, int nc, float[] bp,
                              float beta, MemorySegment c, long cOffset, int ldc, int mode, Buffers buf) {
        if (t0 >= t1 || q0 >= q1) {
            return;
        }
        int i0 = t0 * MR;
        int i1 = Math.min(m, t1 * MR);
        int tiles = t1 - t0;
        float[] ap = buf.a(tiles * MR * kc);
        packA(transA, a, aOffset, lda, alpha, i0, i1, pc, kc, ap, buf);
        float[] tile = buf.tile;
        for (int ti = 0; ti < tiles; ti++) {
            int r0 = i0 + ti * MR;
            int rows = Math.min(MR, i1 - r0);
            long ci = cOffset + jc + (long) r0 * ldc;
            for (int q = q0; q < q1; q++) {
                int cols = Math.min(NR, nc - q * NR);
                micro(ap, ti * MR * kc, bp, q * NR * kc, kc, c, ci + (long) q * NR, ldc, rows, cols, mode, beta,
                        tile);
            }
        }
    }

    private static void micro(float[] ap, int ai, float[] bp, int bi, int kc, MemorySegment c, long ci, long ldc,
                              int rows, int cols, int mode, float beta, float[] tmp) {
        if (MR == 12) {
            kernelBig(ap, ai, bp, bi, kc, c, ci, ldc, rows, cols, mode, beta, tmp);
        } else {
            kernel6(ap, ai, bp, bi, kc, c, ci, ldc, rows, cols, mode, beta, tmp);
        }
    }

    /**
     * Packs rows [i0, i1) and depth [pc, pc+kc) of alpha*op(A) as MR-row tiles, each depth-major:
     * ap[tile*MR*kc + p*MR + i]. Rows past i1 are zero.
     */
    private static void packA(boolean transA, MemorySegment a, long aOffset, int lda, float alpha, int i0, int i1,
                              int pc, int kc, float[] ap, Buffers buf) {
        int mc = i1 - i0;
        int tiles = ceilDiv(mc, MR);
        if (!transA) {
            float[] row = buf.row(kc);
            for (int ti = 0; ti < tiles; ti++) {
                int base = ti * MR * kc;
                for (int i = 0; i < MR; i++) {
                    int r = ti * MR + i;
                    if (r < mc) {
                        MemorySegment.copy(a, F, (aOffset + (long) (i0 + r) * lda + pc) * Float.BYTES, row, 0, kc);
                        for (int p = 0; p < kc; p++) {
                            ap[base + p * MR + i] = alpha * row[p];
                        }
                    } else {
                        for (int p = 0; p < kc; p++) {
                            ap[base + p * MR + i] = 0f;
                        }
                    }
                }
            }
        } else {
            int padded = tiles * MR;
            float[] row = buf.row(padded);
            for (int r = mc; r < padded; r++) {
                row[r] = 0f;
            }
            for (int p = 0; p < kc; p++) {
                MemorySegment.copy(a, F, (aOffset + (long) (pc + p) * lda + i0) * Float.BYTES, row, 0, mc);
                for (int ti = 0; ti < tiles; ti++) {
                    int dst = ti * MR * kc + p * MR;
                    int src = ti * MR;
                    for (int i = 0; i < MR; i++) {
                        ap[dst + i] = alpha * row[src + i];
                    }
                }
            }
        }
    }

    /**
     * Packs depth [pc, pc+kc) and panels [q0, q1) of the columns [jc, jc+nc) of op(B), each panel
     * depth-major: bp[q*NR*kc + p*NR + j]. Columns past nc are zero.
     */
    private static void packB(boolean transB, MemorySegment b, long bOffset, int ldb, int pc, int kc, int jc, int nc,
                              int q0, int q1, float[] bp, Buffers buf) {
        int j0 = q0 * NR;
        int j1 = Math.min(nc, q1 * NR);
        if (!transB) {
            int width = (q1 - q0) * NR;
            float[] row = buf.row(width);
            for (int j = j1 - j0; j < width; j++) {
                row[j] = 0f;
            }
            for (int p = 0; p < kc; p++) {
                MemorySegment.copy(b, F, (bOffset + (long) (pc + p) * ldb + jc + j0) * Float.BYTES, row, 0, j1 - j0);
                for (int q = q0; q < q1; q++) {
                    System.arraycopy(row, (q - q0) * NR, bp, q * NR * kc + p * NR, NR);
                }
            }
        } else {
            float[] row = buf.row(kc);
            for (int q = q0; q < q1; q++) {
                int base = q * NR * kc;
                for (int j = 0; j < NR; j++) {
                    int col = q * NR + j;
                    if (col < nc) {
                        MemorySegment.copy(b, F, (bOffset + (long) (jc + col) * ldb + pc) * Float.BYTES, row, 0, kc);
                        for (int p = 0; p < kc; p++) {
                            bp[base + p * NR + j] = row[p];
                        }
                    } else {
                        for (int p = 0; p < kc; p++) {
                            bp[base + p * NR + j] = 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * Writes a finished tile (tmp[i*nr + j]) to C: mode 0: C = acc; 1: C = acc + C*beta; 2: C = acc + C.
     * Full tiles go by vectors, edge tiles element by element, with the same arithmetic. The
     * accumulators pass through the (L1-resident) array so that no vector crosses a call.
     */
    private static void storeTile(float[] tmp, int nr, MemorySegment c, long ci, long ldc, int rows, int cols, int mode,
                                  float beta) {
        if (cols == nr) {
            for (int i = 0; i < rows; i++) {
                long o = (ci + i * ldc) * Float.BYTES;
                for (int v = 0; v < nr; v += L) {
                    FloatVector acc = FloatVector.fromArray(S, tmp, i * nr + v);
                    long off = o + (long) v * Float.BYTES;
                    if (mode == 1) {
                        acc = acc.add(FloatVector.fromMemorySegment(S, c, off, NATIVE).mul(beta));
                    } else if (mode == 2) {
                        acc = acc.add(FloatVector.fromMemorySegment(S, c, off, NATIVE));
                    }
                    acc.intoMemorySegment(c, off, NATIVE);
                }
            }
            return;
        }
        for (int i = 0; i < rows; i++) {
            long o = ci + i * ldc;
            for (int j = 0; j < cols; j++) {
                float acc = tmp[i * nr + j];
                long off = (o + j) * Float.BYTES;
                if (mode == 1) {
                    acc = acc + c.get(F, off) * beta;
                } else if (mode == 2) {
                    acc = acc + c.get(F, off);
                }
                c.set(F, off, acc);
            }
        }
    }

    /** 12 rows x 2 vectors micro-kernel: acc = sum_p ap[p][i] * bp[p][j]; then written to C. */
    private static void kernelBig(float[] ap, int ai, float[] bp, int bi, int kc, MemorySegment c, long ci, long ldc,
                               int rows, int cols, int mode, float beta, float[] tmp) {
        FloatVector c0_0 = FloatVector.zero(S); FloatVector c0_1 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S); FloatVector c1_1 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S); FloatVector c2_1 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S); FloatVector c3_1 = FloatVector.zero(S);
        FloatVector c4_0 = FloatVector.zero(S); FloatVector c4_1 = FloatVector.zero(S);
        FloatVector c5_0 = FloatVector.zero(S); FloatVector c5_1 = FloatVector.zero(S);
        FloatVector c6_0 = FloatVector.zero(S); FloatVector c6_1 = FloatVector.zero(S);
        FloatVector c7_0 = FloatVector.zero(S); FloatVector c7_1 = FloatVector.zero(S);
        FloatVector c8_0 = FloatVector.zero(S); FloatVector c8_1 = FloatVector.zero(S);
        FloatVector c9_0 = FloatVector.zero(S); FloatVector c9_1 = FloatVector.zero(S);
        FloatVector c10_0 = FloatVector.zero(S); FloatVector c10_1 = FloatVector.zero(S);
        FloatVector c11_0 = FloatVector.zero(S); FloatVector c11_1 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * 2 * L;
            int ao = ai + p * 12;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + 1 * L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ao]);
            c0_0 = a.fma(b0, c0_0); c0_1 = a.fma(b1, c0_1);
            a = FloatVector.broadcast(S, ap[ao + 1]);
            c1_0 = a.fma(b0, c1_0); c1_1 = a.fma(b1, c1_1);
            a = FloatVector.broadcast(S, ap[ao + 2]);
            c2_0 = a.fma(b0, c2_0); c2_1 = a.fma(b1, c2_1);
            a = FloatVector.broadcast(S, ap[ao + 3]);
            c3_0 = a.fma(b0, c3_0); c3_1 = a.fma(b1, c3_1);
            a = FloatVector.broadcast(S, ap[ao + 4]);
            c4_0 = a.fma(b0, c4_0); c4_1 = a.fma(b1, c4_1);
            a = FloatVector.broadcast(S, ap[ao + 5]);
            c5_0 = a.fma(b0, c5_0); c5_1 = a.fma(b1, c5_1);
            a = FloatVector.broadcast(S, ap[ao + 6]);
            c6_0 = a.fma(b0, c6_0); c6_1 = a.fma(b1, c6_1);
            a = FloatVector.broadcast(S, ap[ao + 7]);
            c7_0 = a.fma(b0, c7_0); c7_1 = a.fma(b1, c7_1);
            a = FloatVector.broadcast(S, ap[ao + 8]);
            c8_0 = a.fma(b0, c8_0); c8_1 = a.fma(b1, c8_1);
            a = FloatVector.broadcast(S, ap[ao + 9]);
            c9_0 = a.fma(b0, c9_0); c9_1 = a.fma(b1, c9_1);
            a = FloatVector.broadcast(S, ap[ao + 10]);
            c10_0 = a.fma(b0, c10_0); c10_1 = a.fma(b1, c10_1);
            a = FloatVector.broadcast(S, ap[ao + 11]);
            c11_0 = a.fma(b0, c11_0); c11_1 = a.fma(b1, c11_1);
        }
        c0_0.intoArray(tmp, 0 * L); c0_1.intoArray(tmp, 0 * L + 1 * L);
        c1_0.intoArray(tmp, 2 * L); c1_1.intoArray(tmp, 2 * L + 1 * L);
        c2_0.intoArray(tmp, 4 * L); c2_1.intoArray(tmp, 4 * L + 1 * L);
        c3_0.intoArray(tmp, 6 * L); c3_1.intoArray(tmp, 6 * L + 1 * L);
        c4_0.intoArray(tmp, 8 * L); c4_1.intoArray(tmp, 8 * L + 1 * L);
        c5_0.intoArray(tmp, 10 * L); c5_1.intoArray(tmp, 10 * L + 1 * L);
        c6_0.intoArray(tmp, 12 * L); c6_1.intoArray(tmp, 12 * L + 1 * L);
        c7_0.intoArray(tmp, 14 * L); c7_1.intoArray(tmp, 14 * L + 1 * L);
        c8_0.intoArray(tmp, 16 * L); c8_1.intoArray(tmp, 16 * L + 1 * L);
        c9_0.intoArray(tmp, 18 * L); c9_1.intoArray(tmp, 18 * L + 1 * L);
        c10_0.intoArray(tmp, 20 * L); c10_1.intoArray(tmp, 20 * L + 1 * L);
        c11_0.intoArray(tmp, 22 * L); c11_1.intoArray(tmp, 22 * L + 1 * L);
        storeTile(tmp, 2 * L, c, ci, ldc, rows, cols, mode, beta);
    }

    /** 6 rows x 2 vectors micro-kernel: acc = sum_p ap[p][i] * bp[p][j]; then written to C. */
    private static void kernel6(float[] ap, int ai, float[] bp, int bi, int kc, MemorySegment c, long ci, long ldc,
                               int rows, int cols, int mode, float beta, float[] tmp) {
        FloatVector c0_0 = FloatVector.zero(S); FloatVector c0_1 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S); FloatVector c1_1 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S); FloatVector c2_1 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S); FloatVector c3_1 = FloatVector.zero(S);
        FloatVector c4_0 = FloatVector.zero(S); FloatVector c4_1 = FloatVector.zero(S);
        FloatVector c5_0 = FloatVector.zero(S); FloatVector c5_1 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * 2 * L;
            int ao = ai + p * 6;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + 1 * L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ao]);
            c0_0 = a.fma(b0, c0_0); c0_1 = a.fma(b1, c0_1);
            a = FloatVector.broadcast(S, ap[ao + 1]);
            c1_0 = a.fma(b0, c1_0); c1_1 = a.fma(b1, c1_1);
            a = FloatVector.broadcast(S, ap[ao + 2]);
            c2_0 = a.fma(b0, c2_0); c2_1 = a.fma(b1, c2_1);
            a = FloatVector.broadcast(S, ap[ao + 3]);
            c3_0 = a.fma(b0, c3_0); c3_1 = a.fma(b1, c3_1);
            a = FloatVector.broadcast(S, ap[ao + 4]);
            c4_0 = a.fma(b0, c4_0); c4_1 = a.fma(b1, c4_1);
            a = FloatVector.broadcast(S, ap[ao + 5]);
            c5_0 = a.fma(b0, c5_0); c5_1 = a.fma(b1, c5_1);
        }
        c0_0.intoArray(tmp, 0 * L); c0_1.intoArray(tmp, 0 * L + 1 * L);
        c1_0.intoArray(tmp, 2 * L); c1_1.intoArray(tmp, 2 * L + 1 * L);
        c2_0.intoArray(tmp, 4 * L); c2_1.intoArray(tmp, 4 * L + 1 * L);
        c3_0.intoArray(tmp, 6 * L); c3_1.intoArray(tmp, 6 * L + 1 * L);
        c4_0.intoArray(tmp, 8 * L); c4_1.intoArray(tmp, 8 * L + 1 * L);
        c5_0.intoArray(tmp, 10 * L); c5_1.intoArray(tmp, 10 * L + 1 * L);
        storeTile(tmp, 2 * L, c, ci, ldc, rows, cols, mode, beta);
    }
}
