package dev.isthmus.nn.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Small products (attention's per-head ones: 64×16×64, 64×64×16, thousands a step) without the
 * packed kernel's per-call set-up: both operands are copied whole into thread-local arrays (one
 * bulk copy each; op(B) re-laid by rows of whole vectors where it is transposed or its width is
 * not a multiple of the lane count), and a 6-row by one-vector register tile runs down each
 * column strip of C, broadcasting op(A)'s elements from the copy. The packed path spent 3.2-5.6 µs
 * a 64×16×64 product on an AMD Zen 4 (36-41 GFLOP/s), most of it packing and dispatch.
 *
 * <p>The sums are the packed kernel's, bit for bit: alpha·a rounded first, one fused multiply-add
 * chain per element from zero for each depth block of {@link VectorSgemmKernel#KC}, each block
 * written through {@link VectorSgemmKernel#storeTile} (the first with beta, later ones added to C).
 * Loaded only with the Vector API present; one thread per product.
 */
final class VectorSmallSgemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final int KC = VectorSgemmKernel.KC;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Rows of a register tile: 6 accumulators, 6 broadcasts and one load of op(B) a depth. */
    private static final int R = 6;
    /** Most multiply-adds a product taken here may have. */
    static final long MAX_FMAS = Long.getLong("isthmus.sgemm.smallmax", 1L << 18);

    private VectorSmallSgemm() {
    }

    /**
     * Whether a product of this size (not one of Sgemm's plain-loop small ones) is taken here: up to
     * {@link #MAX_FMAS} multiply-adds, with operands whose rows lie close enough together that
     * copying each one's whole span (the gaps between rows included) stays small.
     */
    static boolean suits(boolean transA, boolean transB, int m, int n, int k, int lda, int ldb) {
        return (long) m * n * k <= MAX_FMAS && span(transA ? k : m, transA ? m : k, lda) <= 4L * m * k
                && span(transB ? n : k, transB ? k : n, ldb) <= 4L * k * n;
    }

    /** Floats from an operand's first element to its last: rows - 1 leading dimensions and one row. */
    private static long span(int rows, int cols, int ld) {
        return (long) (rows - 1) * ld + cols;
    }

    /** C = alpha·op(A)·op(B) + beta·C as {@link Sgemm#sgemm} defines it (arguments already checked, k > 0). */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, long aOffset,
                     int lda, MemorySegment b, long bOffset, int ldb, float beta, MemorySegment c, long cOffset,
                     int ldc) {
        VectorSgemmKernel.Buffers buf = VectorSgemmKernel.buffers();
        // op(A)(i, p) = as[i·si + p·sp], alpha folded in as packing folds it
        int aSpan = (int) span(transA ? k : m, transA ? m : k, lda);
        float[] as = buf.a(aSpan);
        MemorySegment.copy(a, F, aOffset * Float.BYTES, as, 0, aSpan);
        if (alpha != 1f) {
            for (int x = 0; x < aSpan; x++) {
                as[x] = alpha * as[x];
            }
        }
        int si = transA ? 1 : lda;
        int sp = transA ? lda : 1;
        // op(B)(p, j) = bs[p·bld + j], rows of whole vectors
        float[] bs;
        int bld;
        int bSpan = (int) span(transB ? n : k, transB ? k : n, ldb);
        if (!transB && n % L == 0) {
            bs = buf.b(bSpan);
            MemorySegment.copy(b, F, bOffset * Float.BYTES, bs, 0, bSpan);
            bld = ldb;
        } else {
            float[] staged = buf.row(bSpan);
            MemorySegment.copy(b, F, bOffset * Float.BYTES, staged, 0, bSpan);
            bld = (n + L - 1) / L * L;
            bs = buf.b(k * bld);
            if (transB) {
                // B's rows read in order, op(B)'s columns written down
                for (int j = 0; j < n; j++) {
                    int from = j * ldb;
                    for (int p = 0; p < k; p++) {
                        bs[p * bld + j] = staged[from + p];
                    }
                }
            }
            for (int p = 0; p < k; p++) {
                int row = p * bld;
                if (!transB) {
                    System.arraycopy(staged, p * ldb, bs, row, n);
                }
                for (int j = n; j < bld; j++) {
                    bs[row + j] = 0f;
                }
            }
        }
        float[] tile = buf.tile;
        int bWidth = (n + L - 1) / L * L;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            int mode = pc > 0 ? 2 : beta == 0f ? 0 : 1;
            int j0 = 0;
            // pairs of column strips where op(B)'s rows hold two whole vectors: 12 accumulators
            for (; j0 + 2 * L <= bWidth; j0 += 2 * L) {
                int cols = Math.min(2 * L, n - j0);
                for (int i0 = 0; i0 < m; i0 += R) {
                    int rows = Math.min(R, m - i0);
                    long ci = cOffset + (long) i0 * ldc + j0;
                    if (cols == 2 * L) {
                        tile12(as, i0 * si + pc * sp, si, rows, sp, bs, pc * bld + j0, bld, kc, c, ci, ldc, mode, beta);
                    } else {
                        tile12(as, i0 * si + pc * sp, si, rows, sp, bs, pc * bld + j0, bld, kc, tile);
                        VectorSgemmKernel.storeTile(tile, 2 * L, c, ci, ldc, rows, cols, mode, beta);
                    }
                }
            }
            for (; j0 < n; j0 += L) {
                int cols = Math.min(L, n - j0);
                for (int i0 = 0; i0 < m; i0 += R) {
                    // a last tile of fewer rows repeats its last row in the spare accumulators (not
                    // stored): six independent chains rather than a latency-bound one per row
                    int rows = Math.min(R, m - i0);
                    tile6(as, i0 * si + pc * sp, si, rows, sp, bs, pc * bld + j0, bld, kc, tile);
                    VectorSgemmKernel.storeTile(tile, L, c, cOffset + (long) i0 * ldc + j0, ldc, rows, cols, mode, beta);
                }
            }
        }
    }

    /**
     * The 6-row by two-vector tile of {@link #tile6}'s sums (same chains, same order), into
     * tile[r·2L + j].
     */
    private static void tile12(float[] as, int ai, int si, int rows, int sp, float[] bs, int bi, int bld, int kc,
                               float[] tile) {
        tile12(as, ai, si, rows, sp, bs, bi, bld, kc, null, 0, 0, -1, 0f, tile);
    }

    /**
     * The 6-row by two-vector tile written straight into C's first {@code rows} rows of 2L whole
     * columns at element {@code ci}, as {@link VectorSgemmKernel#storeTile} writes them for
     * {@code mode}.
     */
    private static void tile12(float[] as, int ai, int si, int rows, int sp, float[] bs, int bi, int bld, int kc,
                               MemorySegment c, long ci, long ldc, int mode, float beta) {
        tile12(as, ai, si, rows, sp, bs, bi, bld, kc, c, ci, ldc, mode, beta, null);
    }

    private static void tile12(float[] as, int ai, int si, int rows, int sp, float[] bs, int bi, int bld, int kc,
                               MemorySegment c, long ci, long ldc, int mode, float beta, float[] tile) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c40 = c00;
        FloatVector c41 = c00;
        FloatVector c50 = c00;
        FloatVector c51 = c00;
        int a1 = ai + Math.min(1, rows - 1) * si;
        int a2 = ai + Math.min(2, rows - 1) * si;
        int a3 = ai + Math.min(3, rows - 1) * si;
        int a4 = ai + Math.min(4, rows - 1) * si;
        int a5 = ai + Math.min(5, rows - 1) * si;
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * bld;
            FloatVector y0 = FloatVector.fromArray(S, bs, bo);
            FloatVector y1 = FloatVector.fromArray(S, bs, bo + L);
            int o = p * sp;
            FloatVector x = FloatVector.broadcast(S, as[ai + o]);
            c00 = x.fma(y0, c00);
            c01 = x.fma(y1, c01);
            x = FloatVector.broadcast(S, as[a1 + o]);
            c10 = x.fma(y0, c10);
            c11 = x.fma(y1, c11);
            x = FloatVector.broadcast(S, as[a2 + o]);
            c20 = x.fma(y0, c20);
            c21 = x.fma(y1, c21);
            x = FloatVector.broadcast(S, as[a3 + o]);
            c30 = x.fma(y0, c30);
            c31 = x.fma(y1, c31);
            x = FloatVector.broadcast(S, as[a4 + o]);
            c40 = x.fma(y0, c40);
            c41 = x.fma(y1, c41);
            x = FloatVector.broadcast(S, as[a5 + o]);
            c50 = x.fma(y0, c50);
            c51 = x.fma(y1, c51);
        }
        if (tile != null) {
            int w = 2 * L;
            c00.intoArray(tile, 0);
            c01.intoArray(tile, L);
            c10.intoArray(tile, w);
            c11.intoArray(tile, w + L);
            c20.intoArray(tile, 2 * w);
            c21.intoArray(tile, 2 * w + L);
            c30.intoArray(tile, 3 * w);
            c31.intoArray(tile, 3 * w + L);
            c40.intoArray(tile, 4 * w);
            c41.intoArray(tile, 4 * w + L);
            c50.intoArray(tile, 5 * w);
            c51.intoArray(tile, 5 * w + L);
            return;
        }
        put(c, ci, mode, beta, c00, c01);
        if (rows > 1) {
            put(c, ci + ldc, mode, beta, c10, c11);
        }
        if (rows > 2) {
            put(c, ci + 2 * ldc, mode, beta, c20, c21);
        }
        if (rows > 3) {
            put(c, ci + 3 * ldc, mode, beta, c30, c31);
        }
        if (rows > 4) {
            put(c, ci + 4 * ldc, mode, beta, c40, c41);
        }
        if (rows > 5) {
            put(c, ci + 5 * ldc, mode, beta, c50, c51);
        }
    }

    /** Two vectors of sums into C at element {@code ci} as {@link VectorSgemmKernel#storeTile} writes them. */
    private static void put(MemorySegment c, long ci, int mode, float beta, FloatVector v0, FloatVector v1) {
        long off = ci * Float.BYTES;
        long off1 = off + (long) L * Float.BYTES;
        if (mode == 1) {
            v0 = v0.add(FloatVector.fromMemorySegment(S, c, off, NATIVE).mul(beta));
            v1 = v1.add(FloatVector.fromMemorySegment(S, c, off1, NATIVE).mul(beta));
        } else if (mode == 2) {
            v0 = v0.add(FloatVector.fromMemorySegment(S, c, off, NATIVE));
            v1 = v1.add(FloatVector.fromMemorySegment(S, c, off1, NATIVE));
        }
        v0.intoMemorySegment(c, off, NATIVE);
        v1.intoMemorySegment(c, off1, NATIVE);
    }

    /**
     * tile[r·L + j] = Σ_p as[ai + min(r, rows − 1)·si + p·sp] · bs[bi + p·bld + j] for r < 6, p < kc:
     * one fused multiply-add chain per element from zero, in depth order.
     */
    private static void tile6(float[] as, int ai, int si, int rows, int sp, float[] bs, int bi, int bld, int kc,
                              float[] tile) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        FloatVector c4 = c0;
        FloatVector c5 = c0;
        int a1 = ai + Math.min(1, rows - 1) * si;
        int a2 = ai + Math.min(2, rows - 1) * si;
        int a3 = ai + Math.min(3, rows - 1) * si;
        int a4 = ai + Math.min(4, rows - 1) * si;
        int a5 = ai + Math.min(5, rows - 1) * si;
        for (int p = 0; p < kc; p++) {
            FloatVector y = FloatVector.fromArray(S, bs, bi + p * bld);
            int o = p * sp;
            c0 = FloatVector.broadcast(S, as[ai + o]).fma(y, c0);
            c1 = FloatVector.broadcast(S, as[a1 + o]).fma(y, c1);
            c2 = FloatVector.broadcast(S, as[a2 + o]).fma(y, c2);
            c3 = FloatVector.broadcast(S, as[a3 + o]).fma(y, c3);
            c4 = FloatVector.broadcast(S, as[a4 + o]).fma(y, c4);
            c5 = FloatVector.broadcast(S, as[a5 + o]).fma(y, c5);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, L);
        c2.intoArray(tile, 2 * L);
        c3.intoArray(tile, 3 * L);
        c4.intoArray(tile, 4 * L);
        c5.intoArray(tile, 5 * L);
    }
}
