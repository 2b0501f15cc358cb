package dev.isthmus.nn.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Deep, small products whose operands both run along the depth: C = alpha·A·Bᵀ + beta·C with A
 * (m×k) and B (n×k) stored by rows and k much larger than m and n, such as a Dense layer's input
 * gradient dY·Wᵀ for a 9,000-class output (64×64 from a depth of 9,000). The packed kernel copies
 * all of both operands for them, each float then used only m/MR or n/NR times, and spent half its
 * time packing (measured on that shape). Here each element of C is the dot product of a row of A and
 * a row of B, both read where they lie.
 *
 * <p>The sum of one element: lane l of a vector accumulator adds the depths p ≡ l (mod L) in order,
 * by fused multiply-adds; then the lanes are added in lane order, then the depths past the last
 * whole vector in order, then alpha and beta are applied. That order belongs to the element, not to
 * the tile, task or thread that computes it, so the result is the same for any thread count. It is
 * not the packed kernel's order (one chain per element, depth block by depth block): the two agree
 * to float32 rounding.
 *
 * <p>Blocking: tasks own row ranges of C. Depth blocks of {@link #DEPTH} run outermost, so that the
 * block of B (n rows of DEPTH floats) stays in L2 while the task's 4×4 tiles run along it, each
 * tile's four rows of A in L1; a tile's 16 accumulators wait in the task's lane buffer between
 * depth blocks. Loaded only with the Vector API present.
 */
final class VectorDotSgemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Depths per block, a multiple of L: four rows of A (16 KiB) stay in L1, n rows of B in L2. */
    static final int DEPTH = Math.max(1, Integer.getInteger("isthmus.sgemm.dotdepth", 1024) / L) * L;
    /** Rows of A and of B per tile: 16 accumulators and 8 loaded vectors. */
    private static final int T = 4;
    /** Shallowest depth taken here. */
    private static final int MIN_K = 2048;
    /** Most elements of C (the lane buffers hold L floats for each). */
    private static final long MAX_MN = 1L << 16;

    private static final ThreadLocal<float[][]> LANES = ThreadLocal.withInitial(() -> new float[1][0]);

    private VectorDotSgemm() {
    }

    /**
     * Whether {@code auto} takes op(A)·op(B) of this shape here (A by rows, op(B) = Bᵀ, k ≫ m, n), with
     * 32 vector registers only. With 16 (AVX2) the 4×4 tile's 16 accumulators and 5 loaded vectors do
     * not fit and C2 spills; a 4×2 tile fits but C2 unrolls its loop four times and spills again, and
     * with the unrolling blocked each load keeps its bounds check. On a Zen 3 core the packed kernel
     * did better on 64×64×9000 (67-83 GFLOP/s on 2 threads, against 52 for 4×4 and 38-62 for 4×2).
     */
    static boolean suits(boolean transA, boolean transB, int m, int n, int k) {
        return VectorSgemmKernel.REGISTERS >= 32 && takes(transA, transB, m, n) && k >= MIN_K
                && k >= 16L * Math.max(m, n);
    }

    /** Whether this kernel can compute op(A)·op(B) of this shape at all (the forced "dot" scheme's test). */
    static boolean takes(boolean transA, boolean transB, int m, int n) {
        return !transA && transB && (long) m * n <= MAX_MN;
    }

    /** C = alpha·A·Bᵀ + beta·C (beta 0: C is overwritten, NaNs in it ignored); offsets and leading dimensions in floats. */
    static void gemm(boolean parallel, int m, int n, int k, float alpha, MemorySegment a, long aOffset, int lda,
                     MemorySegment b, long bOffset, int ldb, float beta, MemorySegment c, long cOffset, int ldc,
                     CpuThreads threads) {
        int rowTiles = (m + T - 1) / T;
        int tasks = parallel ? Math.min(rowTiles, 2 * threads.count()) : 1;
        if (tasks == 1) {
            rows(0, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
            return;
        }
        threads.parallelFor(tasks, task -> {
            int i0 = (int) ((long) rowTiles * task / tasks) * T;
            int i1 = Math.min(m, (int) ((long) rowTiles * (task + 1) / tasks) * T);
            rows(i0, i1, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
        });
    }

    /** Rows [i0, i1) of C. */
    private static void rows(int i0, int i1, int n, int k, float alpha, MemorySegment a, long aOffset, int lda,
                             MemorySegment b, long bOffset, int ldb, float beta, MemorySegment c, long cOffset,
                             int ldc) {
        int rows = i1 - i0;
        int whole = k / L * L;
        float[] lanes = lanes(rows * n * L);
        long ldaBytes = (long) lda * Float.BYTES;
        long ldbBytes = (long) ldb * Float.BYTES;
        for (int p0 = 0; p0 < whole; p0 += DEPTH) {
            int p1 = Math.min(whole, p0 + DEPTH);
            int i = i0;
            for (; i + T <= i1; i += T) {
                long aRow = (aOffset + (long) i * lda) * Float.BYTES;
                int j = 0;
                for (; j + T <= n; j += T) {
                    tile(a, aRow, ldaBytes, b, (bOffset + (long) j * ldb) * Float.BYTES, ldbBytes, p0, p1, lanes,
                            ((i - i0) * n + j) * L, n * L);
                }
                for (; j < n; j++) {
                    for (int r = i; r < i + T; r++) {
                        one(a, (aOffset + (long) r * lda) * Float.BYTES, b, (bOffset + (long) j * ldb) * Float.BYTES,
                                p0, p1, lanes, ((r - i0) * n + j) * L);
                    }
                }
            }
            for (; i < i1; i++) {
                for (int j = 0; j < n; j++) {
                    one(a, (aOffset + (long) i * lda) * Float.BYTES, b, (bOffset + (long) j * ldb) * Float.BYTES,
                            p0, p1, lanes, ((i - i0) * n + j) * L);
                }
            }
        }
        for (int i = i0; i < i1; i++) {
            long aRow = aOffset + (long) i * lda;
            for (int j = 0; j < n; j++) {
                int at = ((i - i0) * n + j) * L;
                float s = lanes[at];
                for (int l = 1; l < L; l++) {
                    s += lanes[at + l];
                }
                long bRow = bOffset + (long) j * ldb;
                for (int p = whole; p < k; p++) {
                    s = Math.fma(a.getAtIndex(F, aRow + p), b.getAtIndex(F, bRow + p), s);
                }
                long ci = cOffset + (long) i * ldc + j;
                float v = alpha * s;
                if (beta != 0f) {
                    v += beta * c.getAtIndex(F, ci);
                }
                c.setAtIndex(F, ci, v);
            }
        }
    }

    /** The calling thread's lane buffer of at least {@code size} floats, zeroed. */
    private static float[] lanes(int size) {
        float[][] holder = LANES.get();
        if (holder[0].length < size) {
            holder[0] = new float[size];
        } else {
            Arrays.fill(holder[0], 0, size, 0f);
        }
        return holder[0];
    }

    /**
     * Depths [p0, p1) of the 4×4 tile of rows aRow + r·ldaBytes of A and bRow + q·ldbBytes of B (byte
     * offsets), into the accumulators at lanes[at + r·rowStride + q·L].
     */
    private static void tile(MemorySegment a, long aRow, long ldaBytes, MemorySegment b, long bRow, long ldbBytes,
                             int p0, int p1, float[] lanes, int at, int rowStride) {
        int r1 = at + rowStride;
        int r2 = r1 + rowStride;
        int r3 = r2 + rowStride;
        FloatVector c00 = FloatVector.fromArray(S, lanes, at);
        FloatVector c01 = FloatVector.fromArray(S, lanes, at + L);
        FloatVector c02 = FloatVector.fromArray(S, lanes, at + 2 * L);
        FloatVector c03 = FloatVector.fromArray(S, lanes, at + 3 * L);
        FloatVector c10 = FloatVector.fromArray(S, lanes, r1);
        FloatVector c11 = FloatVector.fromArray(S, lanes, r1 + L);
        FloatVector c12 = FloatVector.fromArray(S, lanes, r1 + 2 * L);
        FloatVector c13 = FloatVector.fromArray(S, lanes, r1 + 3 * L);
        FloatVector c20 = FloatVector.fromArray(S, lanes, r2);
        FloatVector c21 = FloatVector.fromArray(S, lanes, r2 + L);
        FloatVector c22 = FloatVector.fromArray(S, lanes, r2 + 2 * L);
        FloatVector c23 = FloatVector.fromArray(S, lanes, r2 + 3 * L);
        FloatVector c30 = FloatVector.fromArray(S, lanes, r3);
        FloatVector c31 = FloatVector.fromArray(S, lanes, r3 + L);
        FloatVector c32 = FloatVector.fromArray(S, lanes, r3 + 2 * L);
        FloatVector c33 = FloatVector.fromArray(S, lanes, r3 + 3 * L);
        long a1 = aRow + ldaBytes;
        long a2 = a1 + ldaBytes;
        long a3 = a2 + ldaBytes;
        long b1 = bRow + ldbBytes;
        long b2 = b1 + ldbBytes;
        long b3 = b2 + ldbBytes;
        for (int p = p0; p < p1; p += L) {
            long o = (long) p * Float.BYTES;
            FloatVector y0 = FloatVector.fromMemorySegment(S, b, bRow + o, NATIVE);
            FloatVector y1 = FloatVector.fromMemorySegment(S, b, b1 + o, NATIVE);
            FloatVector y2 = FloatVector.fromMemorySegment(S, b, b2 + o, NATIVE);
            FloatVector y3 = FloatVector.fromMemorySegment(S, b, b3 + o, NATIVE);
            FloatVector x = FloatVector.fromMemorySegment(S, a, aRow + o, NATIVE);
            c00 = x.fma(y0, c00);
            c01 = x.fma(y1, c01);
            c02 = x.fma(y2, c02);
            c03 = x.fma(y3, c03);
            x = FloatVector.fromMemorySegment(S, a, a1 + o, NATIVE);
            c10 = x.fma(y0, c10);
            c11 = x.fma(y1, c11);
            c12 = x.fma(y2, c12);
            c13 = x.fma(y3, c13);
            x = FloatVector.fromMemorySegment(S, a, a2 + o, NATIVE);
            c20 = x.fma(y0, c20);
            c21 = x.fma(y1, c21);
            c22 = x.fma(y2, c22);
            c23 = x.fma(y3, c23);
            x = FloatVector.fromMemorySegment(S, a, a3 + o, NATIVE);
            c30 = x.fma(y0, c30);
            c31 = x.fma(y1, c31);
            c32 = x.fma(y2, c32);
            c33 = x.fma(y3, c33);
        }
        c00.intoArray(lanes, at);
        c01.intoArray(lanes, at + L);
        c02.intoArray(lanes, at + 2 * L);
        c03.intoArray(lanes, at + 3 * L);
        c10.intoArray(lanes, r1);
        c11.intoArray(lanes, r1 + L);
        c12.intoArray(lanes, r1 + 2 * L);
        c13.intoArray(lanes, r1 + 3 * L);
        c20.intoArray(lanes, r2);
        c21.intoArray(lanes, r2 + L);
        c22.intoArray(lanes, r2 + 2 * L);
        c23.intoArray(lanes, r2 + 3 * L);
        c30.intoArray(lanes, r3);
        c31.intoArray(lanes, r3 + L);
        c32.intoArray(lanes, r3 + 2 * L);
        c33.intoArray(lanes, r3 + 3 * L);
    }

    /** Depths [p0, p1) of one element (rows at byte offsets aRow, bRow) into lanes[at, at + L). */
    private static void one(MemorySegment a, long aRow, MemorySegment b, long bRow, int p0, int p1, float[] lanes,
                            int at) {
        FloatVector acc = FloatVector.fromArray(S, lanes, at);
        for (int p = p0; p < p1; p += L) {
            long o = (long) p * Float.BYTES;
            acc = FloatVector.fromMemorySegment(S, a, aRow + o, NATIVE)
                    .fma(FloatVector.fromMemorySegment(S, b, bRow + o, NATIVE), acc);
        }
        acc.intoArray(lanes, at);
    }
}
