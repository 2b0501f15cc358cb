package dev.isthmus.nn.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Set;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API SGEMM (BLIS-style). Only {@link Sgemm} touches this class, and only after it has
 * checked that {@code jdk.incubator.vector} is present, so the rest of the library loads without it.
 *
 * <p>Loops, outermost first: column blocks of C ({@link #NC} columns), for which the whole depth of
 * op(B) is packed once into a buffer shared by all threads (in parallel, as NR-column panels, depth
 * block after depth block); then tasks that each own a rectangle of C. For each depth block
 * ({@link #KC}) a task packs its rows of op(A), times alpha, into a per-thread buffer as MR-row tiles
 * and, tile row by tile row, runs the MR x NR register-blocked micro-kernel along the packed B
 * panels: the A tile stays in L1, B streams from L2/L3, the C tiles are visited along rows, and the
 * task's rows of C stay in cache from one depth block to the next. Edge tiles are computed on
 * zero-padded tiles and panels and only their valid part is written.
 *
 * <p>Every element of C is computed by one task, summing over k in the same order (depth block by
 * block, each block by a fused multiply-add chain from zero, then added to C), so the result does
 * not depend on the number of threads or on how C is cut into tasks.
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
    private static final boolean X86 = Set.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
    /**
     * Vector registers the kernels are shaped for: 32 with AVX-512 and on aarch64; 16 on x86 with
     * vectors narrower than 512 bits (AVX2 and SSE; also, conservatively, AVX-512 limited by
     * -XX:MaxVectorSize, where C2 could use 32).
     */
    static final int REGISTERS = X86 && L < 16 ? 16 : 32;
    /**
     * Micro-tile rows: 12 x 2 vectors = 24 accumulators when there are 32 vector registers (AVX-512);
     * with 16 (AVX2) 4 x 2 = 8, because C2 keeps up to three broadcasts of A live beside the
     * accumulators and the two B vectors, and at 6 x 2 (12 + 2 + 3 = 17) it spilled one accumulator
     * to the stack: its store/load chain then bound the loop (disassembled; 43 against 96 GFLOP/s for
     * 4 x 2 on one Zen 3 core, L1-resident). {@code -Disthmus.sgemm.mr=6} restores 6 below AVX-512.
     */
    static final int MR = L >= 16 ? 12 : Integer.getInteger("isthmus.sgemm.mr", REGISTERS >= 32 ? 6 : 4) == 6 ? 6 : 4;
    static final int NR = NV * L;
    /** Depth of a block: the packed A tile (MR x KC floats, 18 KiB) stays in L1 while B panels stream by (384 measured 4-5% faster than 512 and 256 on a 48 KiB-L1 Xeon). */
    static final int KC = Math.max(16, Integer.getInteger("isthmus.sgemm.kc", 384));
    /** Rows of C per task (about; the row blocks are made a multiple of the thread count). */
    static final int MC = roundUp(Math.max(1, Integer.getInteger("isthmus.sgemm.mc", 512)), MR);
    /** Columns per outer block: k x NC floats of packed op(B), shared by all tasks (one KC block: 3 MiB). */
    static final int NC = roundUp(Math.max(1, Integer.getInteger("isthmus.sgemm.nc", 2048)), NR);
    /**
     * B panels (KC x NR floats each) per L2 chunk: half the core's L2 (as the machine reports it,
     * {@code -Disthmus.sgemm.l2=BYTES} to override; 1 MiB when unknown), the rest left to the packed A
     * block and C.
     */
    static final int L2_PANELS = Math.max(1, (int) (CacheSizes.l2Bytes() / 2 / ((long) KC * NR * Float.BYTES)));
    /** Below this many multiply-adds one thread does everything (no fork/join). */
    private static final long PARALLEL_MIN_FMAS = 1L << 21;
    /** Row blocks per thread at least (tasks are handed out dynamically; the caller takes part). */
    private static final int MIN_TASKS_PER_THREAD = 2;
    /** Most floats of op(B) packed at once (the column block shrinks for very deep products). */
    private static final long PACKED_B_MAX = 1L << 24;
    /** Packed-B buffers up to this many floats are kept by the calling thread for the next call. */
    private static final int KEEP_B_MAX = 1 << 22;
    /** Below this many floats op(B) is packed by the calling thread alone. */
    private static final long PARALLEL_PACK_MIN = 1L << 15;

    /**
     * Whether packing interleaves rows with vector gathers: on x86 (AVX2 and AVX-512 have gather
     * instructions; measured 0.43 against 0.87 ns a float for the scalar loop on a Xeon), not where
     * the Vector API might fall back to Java loops for them.
     */
    static final boolean GATHER = L >= 8 && X86
            && !"false".equals(System.getProperty("isthmus.sgemm.gather"));
    /** Depths per gathered group of a packed A tile: GROUP * MR floats are GROUP_VECTORS whole vectors. */
    private static final int GROUP = lcm(MR, L) / MR;
    private static final int GROUP_VECTORS = lcm(MR, L) / L;
    /** Four floats: a 4-row tile's depth, for transposed A. */
    private static final VectorSpecies<Float> QUAD = FloatVector.SPECIES_128;
    /** The first MR lanes (a tile's rows of one depth, for transposed A). */
    private static final VectorMask<Float> TILE_ROWS = VectorMask.fromLong(S, MR >= 64 ? -1L : (1L << Math.min(MR, L)) - 1);

    private static int lcm(int a, int b) {
        int x = a;
        int y = b;
        while (y != 0) {
            int t = x % y;
            x = y;
            y = t;
        }
        return a / x * b;
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /** The calling thread's scratch buffers (shared with {@link VectorSmallSgemm}, which never runs inside a product here). */
    static Buffers buffers() {
        return BUFFERS.get();
    }

    /** Per-thread scratch: packed A block, packed B block (for the calling thread), rows, edge tile. */
    static final class Buffers {
        float[] a = new float[0];
        float[] b = new float[0];
        float[] row = new float[0];
        final float[] tile = new float[Math.max(MR * NR, 12 * L)];
        /** Gather indices for a depth of kc: MR staged rows interleaved, and NR staged rows side by side. */
        private int[] interleave = new int[0];
        private int interleaveKc = -1;
        private int[] columns = new int[0];
        private int columnsKc = -1;

        int[] interleave(int kc) {
            if (interleaveKc != kc) {
                int[] idx = new int[GROUP * MR];
                for (int q = 0; q < idx.length; q++) {
                    idx[q] = (q % MR) * kc + q / MR;
                }
                interleave = idx;
                interleaveKc = kc;
            }
            return interleave;
        }

        int[] columns(int kc) {
            if (columnsKc != kc) {
                int[] idx = new int[NR];
                for (int j = 0; j < NR; j++) {
                    idx[j] = j * kc;
                }
                columns = idx;
                columnsKc = kc;
            }
            return columns;
        }

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

        void release() {
            if (b.length > KEEP_B_MAX) {
                b = new float[0];
            }
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
                + ", MC=" + MC + " KC=" + KC + " NC=" + NC + ", " + L2_PANELS + " B panels per L2 chunk of "
                + CacheSizes.l2Bytes() / 1024 + " KiB L2"
                + (MR == 12 ? "; B read in place up to " + DIRECT_B_MAX_M + " rows, A up to " + DIRECT_A_MAX_N
                        + " columns" : "") + ")";
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
        gemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc, threads, SCHEME);
    }

    /** {@link #gemm} with the way C is cut given: "rows", "columns", "direct-b", "dot" or "auto" (the tests compare them). */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     MemorySegment a, long aOffset, int lda,
                     MemorySegment b, long bOffset, int ldb,
                     float beta, MemorySegment c, long cOffset, int ldc,
                     CpuThreads threads, String scheme) {
        boolean parallel = threads.count() > 1 && (long) m * n * k >= PARALLEL_MIN_FMAS;
        if (dots(scheme, transA, transB, m, n, k)) {
            VectorDotSgemm.gemm(parallel, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc,
                    threads);
            return;
        }
        int t = parallel ? threads.count() : 1;
        // Row blocks of about MC rows, as many as a multiple of the thread count when there are enough
        // tile rows; else the columns are cut too.
        int mParts = rowParts(m, t);
        // Column blocks: all of op(B)'s depth for NC columns is packed at once (one fork/join for the
        // packing, one for the products), at most PACKED_B_MAX floats.
        int ncMax = columnBlock(k);
        Buffers own = BUFFERS.get();
        if (directB(scheme, transB, m, n, k)) {
            gemmDirectB(parallel, t, transA, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc,
                    threads, own);
            return;
        }
        if (byColumns(scheme, m, n, k)) {
            gemmByColumns(parallel, t, transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c,
                    cOffset, ldc, threads, own);
            return;
        }
        for (int jc = 0; jc < n; jc += ncMax) {
            int nc = Math.min(ncMax, n - jc);
            int panels = ceilDiv(nc, NR);
            int kBlocks = ceilDiv(k, KC);
            float[] bp = own.b(panels * NR * k);
            int jcf = jc;
            int packChunks = parallel && (long) k * nc >= PARALLEL_PACK_MIN ? Math.min(panels, t) : 1;
            if (packChunks == 1) {
                for (int kb = 0; kb < kBlocks; kb++) {
                    packB(transB, b, bOffset, ldb, kb * KC, Math.min(KC, k - kb * KC), jcf, nc, 0, panels, bp,
                            kb * KC * panels * NR, own);
                }
            } else {
                threads.parallelFor(kBlocks * packChunks, u -> {
                    int pc = u / packChunks * KC;
                    int chunk = u % packChunks;
                    int q0 = part(panels, packChunks, chunk);
                    packB(transB, b, bOffset, ldb, pc, Math.min(KC, k - pc), jcf, nc, q0,
                            part(panels, packChunks, chunk + 1), bp, pc * panels * NR + q0 * NR * Math.min(KC, k - pc),
                            BUFFERS.get());
                });
            }
            products(parallel, t, mParts, transA, m, k, alpha, a, aOffset, lda, jcf, nc, bp, beta, c, cOffset, ldc,
                    threads, own);
            own.release();
        }
    }

    /**
     * Whether {@link VectorDotSgemm} computes this product: by shape under "auto", always under
     * "dot" where op(A) = A and op(B) = Bᵀ (both read along the depth).
     */
    private static boolean dots(String scheme, boolean transA, boolean transB, int m, int n, int k) {
        if (scheme.equals("dot")) {
            return VectorDotSgemm.takes(transA, transB, m, n);
        }
        return scheme.equals("auto") && VectorDotSgemm.suits(transA, transB, m, n, k);
    }

    /** How C is cut: "rows", "columns", "direct-b", "dot" or "auto" (by shape; {@code -Disthmus.sgemm.scheme=} to force one). */
    static final String SCHEME = System.getProperty("isthmus.sgemm.scheme", "auto");
    /** Column ranges per thread in {@link #gemmByColumns} (2: each A tile reused along half as many panels, but dynamic balance). */
    static final int COLUMN_TASKS_PER_THREAD = Integer.getInteger("isthmus.sgemm.ctasks", 2);
    private static final int COLUMNS_MIN_M = 512;
    private static final int COLUMNS_MIN_N = 1024;

    /** Whether {@link #gemmByColumns} is the faster way to cut this product (both give the same bits). */
    private static boolean byColumns(String scheme, int m, int n, int k) {
        if (scheme.equals("rows")) {
            return false;
        }
        boolean fits = (long) roundUp(m, MR) * k <= PACKED_B_MAX;
        if (scheme.equals("columns")) {
            return fits;
        }
        // measured on a 2-core Xeon (2 MiB L2): 1024^3 and 2048^3 10-15% faster by columns, 512^3 about
        // even; by rows for short or narrow products (im2col convolutions: few columns, many rows)
        return fits && m >= COLUMNS_MIN_M && n >= COLUMNS_MIN_N;
    }

    /**
     * Most rows of C for which a non-transposed op(B) is read where it lies instead of packed: while
     * the packed A block (rows x KC floats) takes at most a quarter of L2, so that it stays there
     * while every panel of B runs along it (336 rows with a 2 MiB L2). Packing costs about as much
     * per float as MR multiply-adds, and a short product uses each float of B only m times. Measured
     * on a 2-core Xeon, 2 threads: hᵀ·dz at m = 64, n = 9000, k = 256 98 → 185 GFLOP/s, m = 256,
     * n = 2048, k = 256 202 → 282; at m = 600 and beyond, or m ≫ n (im2col products), the packed
     * path stays ahead.
     */
    static final int DIRECT_B_MAX_M = Integer.getInteger("isthmus.sgemm.directbm",
            Math.max(MR, (int) (CacheSizes.l2Bytes() / 4 / ((long) KC * Float.BYTES)) / MR * MR));

    /** Whether {@link #gemmDirectB} computes this product ("direct-b" forces it where op(B) is B). */
    private static boolean directB(String scheme, boolean transB, int m, int n, int k) {
        if (transB || MR != 12 || (long) ceilDiv(m, MR) * MR * k > PACKED_B_MAX) {
            return false;
        }
        if (scheme.equals("direct-b")) {
            return true;
        }
        return scheme.equals("auto") && m <= DIRECT_B_MAX_M && m <= 2L * n && n >= NR;
    }

    /** All of alpha*op(A), packed depth block after depth block into ap (block pc at pc*mTiles*MR). */
    private static void packAllA(boolean parallel, int t, boolean transA, boolean rows, int m, int k, float alpha,
                                 MemorySegment a, long aOffset, int lda, float[] ap, CpuThreads threads, Buffers own) {
        int mTiles = ceilDiv(m, MR);
        int kBlocks = ceilDiv(k, KC);
        int packChunks = parallel && (long) m * k >= PARALLEL_PACK_MIN ? Math.min(mTiles, t) : 1;
        if (packChunks == 1) {
            for (int pc = 0; pc < k; pc += KC) {
                packA(transA, rows, a, aOffset, lda, alpha, 0, m, pc, Math.min(KC, k - pc), ap, pc * mTiles * MR, own);
            }
        } else {
            threads.parallelFor(kBlocks * packChunks, u -> {
                int pc = u / packChunks * KC;
                int kc = Math.min(KC, k - pc);
                int chunk = u % packChunks;
                int t0 = part(mTiles, packChunks, chunk);
                int t1 = part(mTiles, packChunks, chunk + 1);
                packA(transA, rows, a, aOffset, lda, alpha, t0 * MR, Math.min(m, t1 * MR), pc, kc, ap,
                        pc * mTiles * MR + t0 * MR * kc, BUFFERS.get());
            });
        }
    }

    /**
     * Short products with op(B) = B: alpha*op(A) is packed once (it is small), and the micro-kernel
     * reads B's rows where they lie ({@link #kernel12Direct}), so B is read once from memory and never
     * copied. Tasks own column ranges; each runs panel by panel, every A tile along the panel (the
     * panel stays in L1/L2 after the first tile). The sums are those of {@link #block}: the same
     * fused multiply-add chains, depth blocks in the same order, the same writes to C.
     */
    private static void gemmDirectB(boolean parallel, int t, boolean transA, int m, int n, int k, float alpha,
                                    MemorySegment a, long aOffset, int lda, MemorySegment b, long bOffset, int ldb,
                                    float beta, MemorySegment c, long cOffset, int ldc, CpuThreads threads,
                                    Buffers own) {
        int mTiles = ceilDiv(m, MR);
        float[] ap = own.b(mTiles * MR * k + L);
        packAllA(parallel, t, transA, false, m, k, alpha, a, aOffset, lda, ap, threads, own);
        int panels = ceilDiv(n, NR);
        int nParts = parallel ? Math.min(panels, COLUMN_TASKS_PER_THREAD * t) : 1;
        if (nParts == 1) {
            blockDirectB(0, panels, m, n, k, ap, b, bOffset, ldb, beta, c, cOffset, ldc, own);
        } else {
            threads.parallelFor(nParts, task -> blockDirectB(part(panels, nParts, task),
                    part(panels, nParts, task + 1), m, n, k, ap, b, bOffset, ldb, beta, c, cOffset, ldc,
                    BUFFERS.get()));
        }
        own.release();
    }

    /** One task of {@link #gemmDirectB}: panels [q0, q1) of C, all rows; a last, partial panel is packed. */
    private static void blockDirectB(int q0, int q1, int m, int n, int k, float[] ap, MemorySegment b, long bOffset,
                                     int ldb, float beta, MemorySegment c, long cOffset, int ldc, Buffers buf) {
        int mTiles = ceilDiv(m, MR);
        float[] tile = buf.tile;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            int mode = pc > 0 ? 2 : beta == 0f ? 0 : 1;
            int aBase = pc * mTiles * MR;
            for (int q = q0; q < q1; q++) {
                int cols = Math.min(NR, n - q * NR);
                float[] edge = null;
                if (cols < NR) {
                    edge = buf.a(NR * kc);
                    packB(false, b, bOffset, ldb, pc, kc, 0, n, q, q + 1, edge, 0, buf);
                }
                long bAt = (bOffset + (long) pc * ldb + (long) q * NR) * Float.BYTES;
                for (int ti = 0; ti < mTiles; ti++) {
                    int r0 = ti * MR;
                    int rows = Math.min(MR, m - r0);
                    long ci = cOffset + (long) r0 * ldc + (long) q * NR;
                    if (edge == null) {
                        kernel12Direct(ap, aBase + ti * MR * kc, b, bAt, (long) ldb * Float.BYTES, kc, c, ci, ldc,
                                rows, cols, mode, beta, tile);
                    } else {
                        micro(false, ap, aBase + ti * MR * kc, edge, 0, kc, c, ci, ldc, rows, cols, mode, beta, tile);
                    }
                }
            }
        }
    }

    /**
     * The other way to cut C: all of alpha*op(A) is packed once (in parallel, shared by all tasks,
     * depth block after depth block), and the tasks own column ranges of C of at most an L2's worth
     * of panels ({@link #L2_PANELS}). A task packs its columns of op(B) into its own buffer just
     * before using them, so the panels every A tile runs along are hot in L2, and only the A tiles
     * (MR x KC floats, each reused along the chunk's panels from L1) come from the shared buffer. The
     * sums are those of {@link #block}: the same micro-kernel, depth blocks in the same order.
     */
    private static void gemmByColumns(boolean parallel, int t, boolean transA, boolean transB, int m, int n, int k,
                                      float alpha, MemorySegment a, long aOffset, int lda,
                                      MemorySegment b, long bOffset, int ldb,
                                      float beta, MemorySegment c, long cOffset, int ldc,
                                      CpuThreads threads, Buffers own) {
        int mTiles = ceilDiv(m, MR);
        float[] ap = own.b(mTiles * MR * k + L);
        boolean rows = rowsA(transA, n);
        packAllA(parallel, t, transA, rows, m, k, alpha, a, aOffset, lda, ap, threads, own);
        int panels = ceilDiv(n, NR);
        int chunks = ceilDiv(panels, L2_PANELS);
        int nParts = parallel ? Math.min(panels, Math.max(roundUp(chunks, t), COLUMN_TASKS_PER_THREAD * t)) : chunks;
        if (!parallel || nParts == 1) {
            for (int task = 0; task < nParts; task++) {
                blockColumns(part(panels, nParts, task), part(panels, nParts, task + 1), rows, transB, m, n, k, ap, b,
                        bOffset, ldb, beta, c, cOffset, ldc, own);
            }
        } else {
            threads.parallelFor(nParts, task -> blockColumns(part(panels, nParts, task),
                    part(panels, nParts, task + 1), rows, transB, m, n, k, ap, b, bOffset, ldb, beta, c, cOffset, ldc,
                    BUFFERS.get()));
        }
        own.release();
    }

    /**
     * One task of {@link #gemmByColumns}: the panels [q0, q1) of C (NR columns each, at most
     * {@link #L2_PANELS}), all rows, depth block by depth block: pack those columns of op(B), then run
     * every A tile along them (so the task's columns of C stay in cache across depth blocks when C is
     * short).
     */
    private static void blockColumns(int q0, int q1, boolean rowsA, boolean transB, int m, int n, int k, float[] ap,
                                     MemorySegment b, long bOffset, int ldb, float beta,
                                     MemorySegment c, long cOffset, int ldc, Buffers buf) {
        int mTiles = ceilDiv(m, MR);
        float[] tile = buf.tile;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            int mode = pc > 0 ? 2 : beta == 0f ? 0 : 1;
            float[] bp = buf.a((q1 - q0) * NR * kc);
            packB(transB, b, bOffset, ldb, pc, kc, 0, n, q0, q1, bp, 0, buf);
            int aBase = pc * mTiles * MR;
            for (int ti = 0; ti < mTiles; ti++) {
                int r0 = ti * MR;
                int rows = Math.min(MR, m - r0);
                long ci = cOffset + (long) r0 * ldc;
                for (int q = q0; q < q1; q++) {
                    int cols = Math.min(NR, n - q * NR);
                    micro(rowsA, ap, aBase + ti * MR * kc, bp, (q - q0) * NR * kc, kc, c, ci + (long) q * NR, ldc, rows,
                            cols, mode, beta, tile);
                }
            }
        }
    }

    /** The products of all of op(A) with the packed column block [jc, jc + nc) of op(B), cut into tasks. */
    private static void products(boolean parallel, int t, int mParts, boolean transA, int m, int k, float alpha,
                                 MemorySegment a, long aOffset, int lda, int jc, int nc, float[] bp, float beta,
                                 MemorySegment c, long cOffset, int ldc, CpuThreads threads, Buffers own) {
        int mTiles = ceilDiv(m, MR);
        int panels = ceilDiv(nc, NR);
        int nParts = mParts % t == 0 ? 1 : Math.min(panels, t);
        int tasks = mParts * nParts;
        if (!parallel || tasks == 1) {
            for (int task = 0; task < tasks; task++) {
                block(part(mTiles, mParts, task % mParts), part(mTiles, mParts, task % mParts + 1),
                        part(panels, nParts, task / mParts), part(panels, nParts, task / mParts + 1), transA, m, k,
                        alpha, a, aOffset, lda, jc, nc, bp, beta, c, cOffset, ldc, own);
            }
        } else {
            threads.parallelFor(tasks, task -> block(part(mTiles, mParts, task % mParts),
                    part(mTiles, mParts, task % mParts + 1), part(panels, nParts, task / mParts),
                    part(panels, nParts, task / mParts + 1), transA, m, k, alpha, a, aOffset, lda, jc, nc,
                    bp, beta, c, cOffset, ldc, BUFFERS.get()));
        }
    }

    /** Row blocks for m rows on t threads (how C is cut does not change any result). */
    private static int rowParts(int m, int t) {
        int mTiles = ceilDiv(m, MR);
        return Math.min(mTiles, Math.max(roundUp(ceilDiv(m, MC), t), MIN_TASKS_PER_THREAD * t));
    }

    /** Columns of op(B) packed at once for depth k. */
    private static int columnBlock(int k) {
        return Math.max(NR, Math.min(NC, (int) Math.min(Integer.MAX_VALUE, PACKED_B_MAX / k) / NR * NR));
    }

    /** Whether all n columns of a depth-k op(B) fit one packing, as {@link #packAll} needs. */
    static boolean packsWhole(int n, int k) {
        return n <= columnBlock(k);
    }

    /** All of op(B) (k x n, n within one column block) packed as {@link #gemm} packs it. */
    static float[] packAll(boolean transB, int k, int n, MemorySegment b, long bOffset, int ldb) {
        int panels = ceilDiv(n, NR);
        float[] bp = new float[panels * NR * k];
        Buffers own = BUFFERS.get();
        for (int pc = 0; pc < k; pc += KC) {
            packB(transB, b, bOffset, ldb, pc, Math.min(KC, k - pc), 0, n, 0, panels, bp, pc * panels * NR, own);
        }
        return bp;
    }

    /** {@link #gemm} with op(B) already packed by {@link #packAll}: the same tasks, the same results. */
    static void gemmPacked(boolean transA, int m, int n, int k, float alpha, MemorySegment a, long aOffset, int lda,
                           float[] bp, float beta, MemorySegment c, long cOffset, int ldc, CpuThreads threads) {
        // with B packed already a hand-off is all that splitting costs: it pays for smaller products
        boolean parallel = threads.count() > 1 && (long) m * n * k >= PARALLEL_MIN_FMAS / 8 && m > MR;
        int t = parallel ? threads.count() : 1;
        products(parallel, t, rowParts(m, t), transA, m, k, alpha, a, aOffset, lda, 0, n, bp, beta, c, cOffset, ldc,
                threads, BUFFERS.get());
    }

    /** Start of part {@code p} of {@code count} items cut into {@code parts} near-equal parts. */
    private static int part(int count, int parts, int p) {
        return (int) ((long) count * p / parts);
    }

    /**
     * One task: the tile rows [t0, t1) (MR rows each) of C against the packed B panels [q0, q1) (NR
     * columns each), over the whole depth. For each depth block it packs its rows of op(A), then for
     * each tile row runs along the panels, so that the A tile stays in L1 while B streams from L2/L3,
     * and the task's C rows stay in cache from one depth block to the next.
     */
    private static void block(int t0, int t1, int q0, int q1, boolean transA, int m, int k, float alpha,
                              MemorySegment a, long aOffset, int lda, int jc, int nc, float[] bp,
                              float beta, MemorySegment c, long cOffset, int ldc, Buffers buf) {
        if (t0 >= t1 || q0 >= q1) {
            return;
        }
        int i0 = t0 * MR;
        int i1 = Math.min(m, t1 * MR);
        int tiles = t1 - t0;
        int panels = ceilDiv(nc, NR);
        float[] tile = buf.tile;
        boolean direct = directA(transA, alpha, nc);
        boolean rowsA = rowsA(transA, nc);
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            int mode = pc > 0 ? 2 : beta == 0f ? 0 : 1;
            int bBase = pc * panels * NR;
            // In place, full tiles read A's rows directly and only a last, partial tile is packed.
            int packedFrom = direct ? i0 + (i1 - i0) / MR * MR : i0;
            float[] ap = buf.a(tiles * MR * kc + L);
            if (packedFrom < i1) {
                packA(transA, rowsA, a, aOffset, lda, alpha, packedFrom, i1, pc, kc, ap, (packedFrom - i0) * kc, buf);
            }
            // The task's B panels go by in chunks that stay in L2 while every tile row of A runs
            // along them (the A tile in L1, the chunk in L2); without the chunks each tile row would
            // stream all of the task's panels from L3. (The order of tiles changes no sum.)
            for (int qc = q0; qc < q1; qc += L2_PANELS) {
                int qe = Math.min(q1, qc + L2_PANELS);
                for (int ti = 0; ti < tiles; ti++) {
                    int r0 = i0 + ti * MR;
                    int rows = Math.min(MR, i1 - r0);
                    long ci = cOffset + jc + (long) r0 * ldc;
                    long aAt = (aOffset + (long) r0 * lda + pc) * Float.BYTES;
                    for (int q = qc; q < qe; q++) {
                        int cols = Math.min(NR, nc - q * NR);
                        if (r0 < packedFrom && MR == 4) {
                            kernel4DirectA(a, aAt, (long) lda * Float.BYTES, bp, bBase + q * NR * kc, kc, c,
                                    ci + (long) q * NR, ldc, cols, mode, beta, tile);
                        } else if (r0 < packedFrom && cols <= L) {
                            kernel12DirectANarrow(a, aAt, (long) lda * Float.BYTES, bp, bBase + q * NR * kc, kc, c,
                                    ci + (long) q * NR, ldc, cols, mode, beta, tile);
                        } else if (r0 < packedFrom) {
                            kernel12DirectA(a, aAt, (long) lda * Float.BYTES, bp, bBase + q * NR * kc, kc, c,
                                    ci + (long) q * NR, ldc, cols, mode, beta, tile);
                        } else {
                            micro(rowsA, ap, ti * MR * kc, bp, bBase + q * NR * kc, kc, c, ci + (long) q * NR, ldc, rows,
                                    cols, mode, beta, tile);
                        }
                    }
                }
            }
        }
    }

    /**
     * Most columns of C for which {@link #block} reads a non-transposed op(A) in place instead of
     * packing it (alpha 1): one panel, where each float of A is used only n times, about what packing
     * it costs. Measured on a 2-core Xeon, 2 threads: dz·Wᵀ 5120x32x256 149 → 216 GFLOP/s, an im2col
     * convolution 43264x32x9 56 → 79, 2000x16x500 55 → 93; at two panels and more (n = 64 to 256) in
     * place was 5-35% slower (the tile's 12 row streams are read from memory, not cache, on the first
     * panel). The 4-row kernel of 16 vector registers likewise, on a 2-core Zen 3 (medians, 2 threads):
     * 2000x16x500 30 → 48-52, 5120x16x256 30-39 → 44-52; in place at every width was slower
     * (4096x256x64 63-65 → 45-47).
     */
    static final int DIRECT_A_MAX_N = Integer.getInteger("isthmus.sgemm.directan", NR);

    private static boolean directA(boolean transA, float alpha, int nc) {
        return !transA && alpha == 1f && (MR == 12 || MR == 4) && nc <= DIRECT_A_MAX_N;
    }

    private static void micro(boolean rowsA, float[] ap, int ai, float[] bp, int bi, int kc, MemorySegment c, long ci,
                              long ldc, int rows, int cols, int mode, float beta, float[] tmp) {
        if (rowsA) {
            kernel4Rows(ap, ai, bp, bi, kc, c, ci, ldc, rows, cols, mode, beta, tmp);
        } else if (MR == 12 && cols <= L) {
            kernel12Narrow(ap, ai, bp, bi, kc, c, ci, ldc, rows, cols, mode, beta, tmp);
        } else if (MR == 12) {
            kernel12(ap, ai, bp, bi, kc, c, ci, ldc, rows, cols, mode, beta, tmp);
        } else if (MR == 6) {
            kernel6(ap, ai, bp, bi, kc, c, ci, ldc, rows, cols, mode, beta, tmp);
        } else {
            kernel4(ap, ai, bp, bi, kc, c, ci, ldc, rows, cols, mode, beta, tmp);
        }
    }

    /**
     * Packs rows [i0, i1) and depth [pc, pc+kc) of alpha*op(A) as MR-row tiles, each depth-major:
     * ap[apOff + tile*MR*kc + p*MR + i], or with {@code rows} ({@link #rowsA}) row by row:
     * ap[apOff + tile*MR*kc + i*kc + p]. Rows past i1 are zero. ap must hold L floats past the tiles.
     */
    private static void packA(boolean transA, boolean rows, MemorySegment a, long aOffset, int lda, float alpha,
                              int i0, int i1, int pc, int kc, float[] ap, int apOff, Buffers buf) {
        // one method per layout (splitting them changed no measured time: the 13-15% that a profile
        // put on the gathers' index check stayed, and was the gathers themselves)
        if (rows) {
            packWholeRows(a, aOffset, lda, alpha, i0, i1, pc, kc, ap, apOff);
        } else if (!transA) {
            packRows(a, aOffset, lda, alpha, i0, i1, pc, kc, ap, apOff, buf);
        } else {
            packColumns(a, aOffset, lda, alpha, i0, i1, pc, kc, ap, apOff, buf);
        }
    }

    /** {@link #packA} by whole rows (a row-major op(A); {@link #kernel4Rows} reads it). */
    private static void packWholeRows(MemorySegment a, long aOffset, int lda, float alpha, int i0, int i1, int pc,
                                      int kc, float[] ap, int apOff) {
        int tiles = ceilDiv(i1 - i0, MR);
        // each tile's rows copied whole (ap[tile + i*kc + p], what kernel4Rows reads): bulk
        // copies instead of a depth's four floats gathered at a time
        for (int ti = 0; ti < tiles; ti++) {
            int at = apOff + ti * MR * kc;
            int r = i0 + ti * MR;
            for (int i = 0; i < MR; i++, at += kc) {
                if (r + i < i1) {
                    MemorySegment.copy(a, F, (aOffset + (long) (r + i) * lda + pc) * Float.BYTES, ap, at, kc);
                    if (alpha != 1f) {
                        for (int p = 0; p < kc; p++) {
                            ap[at + p] = alpha * ap[at + p];
                        }
                    }
                } else {
                    java.util.Arrays.fill(ap, at, at + kc, 0f);
                }
            }
        }
    }

    /** {@link #packA} of a row-major op(A). */
    private static void packRows(MemorySegment a, long aOffset, int lda, float alpha, int i0, int i1, int pc, int kc,
                                 float[] ap, int apOff, Buffers buf) {
        int mc = i1 - i0;
        int tiles = ceilDiv(mc, MR);
        if (MR == 4) {
            // four rows read in place, a depth's four floats stored together: no staging copy and no
            // gathers (on Zen 3 packing fell from 29% to 19% of a 4096x64x64 product, profiled)
            for (int ti = 0; ti < tiles; ti++) {
                int at = apOff + ti * MR * kc;
                int r = i0 + ti * MR;
                if (r + MR <= i1) {
                    long o0 = (aOffset + (long) r * lda + pc) * Float.BYTES;
                    long o1 = o0 + (long) lda * Float.BYTES;
                    long o2 = o1 + (long) lda * Float.BYTES;
                    long o3 = o2 + (long) lda * Float.BYTES;
                    for (int p = 0; p < kc; p++, at += MR) {
                        long q = (long) p * Float.BYTES;
                        ap[at] = alpha * a.get(F, o0 + q);
                        ap[at + 1] = alpha * a.get(F, o1 + q);
                        ap[at + 2] = alpha * a.get(F, o2 + q);
                        ap[at + 3] = alpha * a.get(F, o3 + q);
                    }
                } else {
                    for (int p = 0; p < kc; p++, at += MR) {
                        for (int i = 0; i < MR; i++) {
                            ap[at + i] = r + i < i1
                                    ? alpha * a.get(F, (aOffset + (long) (r + i) * lda + pc + p) * Float.BYTES) : 0f;
                        }
                    }
                }
            }
            return;
        }
        // a tile's MR rows staged side by side, then written depth by depth: the packed tile is
        // written in order (MR rows read as MR sequential streams) rather than MR floats apart
        float[] rows = buf.row(MR * kc);
        for (int ti = 0; ti < tiles; ti++) {
            int base = apOff + ti * MR * kc;
            int valid = Math.min(MR, mc - ti * MR);
            for (int i = 0; i < valid; i++) {
                MemorySegment.copy(a, F, (aOffset + (long) (i0 + ti * MR + i) * lda + pc) * Float.BYTES, rows, i * kc, kc);
            }
            if (valid < MR) {
                java.util.Arrays.fill(rows, valid * kc, MR * kc, 0f);
            }
            int p = 0;
            int at = base;
            if (GATHER) {
                // GROUP depths at a time, MR rows interleaved by gathers (each GROUP x MR block is
                // GROUP_VECTORS whole vectors of the packed tile)
                int[] idx = buf.interleave(kc);
                for (; p + GROUP <= kc; p += GROUP, at += GROUP * MR) {
                    for (int v = 0; v < GROUP_VECTORS; v++) {
                        FloatVector.fromArray(S, rows, p, idx, v * L).mul(alpha).intoArray(ap, at + v * L);
                    }
                }
            }
            for (; p < kc; p++, at += MR) {
                for (int i = 0; i < MR; i++) {
                    ap[at + i] = alpha * rows[i * kc + p];
                }
            }
        }
    }

    /** {@link #packA} of a transposed op(A) (A stored k x m). */
    private static void packColumns(MemorySegment a, long aOffset, int lda, float alpha, int i0, int i1, int pc,
                                    int kc, float[] ap, int apOff, Buffers buf) {
        int mc = i1 - i0;
        int tiles = ceilDiv(mc, MR);
        if (MR == 4 && L == 8) {
            // a depth's four floats of each tile as one 128-bit vector, stored whole: the masked
            // 256-bit stores below are slow on AMD (packing took 13% of a Transformer step on Zen 3);
            // a last, partial tile by a masked load, its rows past i1 zero. Tile by tile, so that the
            // stores run in order: depth by depth across the tiles they were MR·kc floats apart (a
            // few L1 sets; on a 2-core Zen 3, 2 threads, Xᵀ·dY at 64x64x4096 71-108 → 82-133
            // GFLOP/s, 256x64x4096 61 → 70-77, alternating in one JVM)
            int lastValid = mc - (tiles - 1) * MR;
            VectorMask<Float> last = VectorMask.fromLong(QUAD, (1L << lastValid) - 1);
            long rowBytes = (long) lda * Float.BYTES;
            for (int ti = 0; ti < tiles; ti++) {
                long at = (aOffset + (long) pc * lda + i0 + (long) ti * MR) * Float.BYTES;
                int dst = apOff + ti * MR * kc;
                if (ti < tiles - 1 || lastValid == MR) {
                    for (int p = 0; p < kc; p++, at += rowBytes, dst += MR) {
                        FloatVector.fromMemorySegment(QUAD, a, at, NATIVE).mul(alpha).intoArray(ap, dst);
                    }
                } else {
                    for (int p = 0; p < kc; p++, at += rowBytes, dst += MR) {
                        FloatVector.fromMemorySegment(QUAD, a, at, NATIVE, last).mul(alpha).intoArray(ap, dst);
                    }
                }
            }
            return;
        }
        if (MR <= L) {
            // a depth's MR floats of each tile loaded straight from A, no staging copy (which cost
            // 40% of a 64x16x64 product): whole vectors where the L floats lie inside A (the lanes
            // past MR are not stored), masked loads at A's end and for a last tile's rows (those
            // past i1 read as zero). ap holds L floats past the tiles, so the masked stores stay
            // on the JIT's fast path (a masked access that might reach an array's end takes a slow
            // one, measured 3x slower).
            int lastValid = mc - (tiles - 1) * MR;
            VectorMask<Float> last = VectorMask.fromLong(S, (1L << lastValid) - 1);
            long size = a.byteSize();
            for (int p = 0; p < kc; p++) {
                long at = (aOffset + (long) (pc + p) * lda + i0) * Float.BYTES;
                for (int ti = 0; ti < tiles; ti++) {
                    long from = at + (long) ti * MR * Float.BYTES;
                    int dst = apOff + ti * MR * kc + p * MR;
                    FloatVector v = ti < tiles - 1 || lastValid == MR
                            ? from + (long) L * Float.BYTES <= size
                                    ? FloatVector.fromMemorySegment(S, a, from, NATIVE)
                                    : FloatVector.fromMemorySegment(S, a, from, NATIVE, TILE_ROWS)
                            : FloatVector.fromMemorySegment(S, a, from, NATIVE, last);
                    v.mul(alpha).intoArray(ap, dst, TILE_ROWS);
                }
            }
            return;
        }
        int padded = tiles * MR;
        float[] row = buf.row(padded);
        for (int r = mc; r < padded; r++) {
            row[r] = 0f;
        }
        for (int p = 0; p < kc; p++) {
            MemorySegment.copy(a, F, (aOffset + (long) (pc + p) * lda + i0) * Float.BYTES, row, 0, mc);
            for (int ti = 0; ti < tiles; ti++) {
                int dst = apOff + ti * MR * kc + p * MR;
                int src = ti * MR;
                for (int i = 0; i < MR; i++) {
                    ap[dst + i] = alpha * row[src + i];
                }
            }
        }
    }

    /**
     * Packs depth [pc, pc+kc) and panels [q0, q1) of the columns [jc, jc+nc) of op(B), each panel
     * depth-major: bp[dst + (q-q0)*NR*kc + p*NR + j]. Columns past nc are zero.
     */
    private static void packB(boolean transB, MemorySegment b, long bOffset, int ldb, int pc, int kc, int jc, int nc,
                              int q0, int q1, float[] bp, int dst, Buffers buf) {
        int base0 = dst - q0 * NR * kc;
        int j0 = q0 * NR;
        int j1 = Math.min(nc, q1 * NR);
        if (!transB) {
            // each panel's depth rows loaded straight from B's rows (masked past nc: zeros), no
            // staging copy; a whole vector of valid columns lies inside B. Panel by panel, so that
            // the stores run in order: depth by depth across the panels they were 4 KiB apart at
            // kc = 64 (one L1 set; 64x9000x64 on a 2-core Zen 3 then 52 against 65 GFLOP/s)
            int valid = j1 - j0;
            VectorMask<Float> edgeLanes = VectorMask.fromLong(S, (1L << (valid % L)) - 1);
            FloatVector zero = FloatVector.zero(S);
            for (int q = q0; q < q1; q++) {
                int to = base0 + q * NR * kc;
                long at = (bOffset + (long) pc * ldb + jc + j0 + (long) (q - q0) * NR) * Float.BYTES;
                int col0 = (q - q0) * NR;
                for (int p = 0; p < kc; p++, to += NR, at += (long) ldb * Float.BYTES) {
                    for (int v = 0; v < NV; v++) {
                        int col = col0 + v * L;
                        long from = at + (long) v * L * Float.BYTES;
                        FloatVector x = col + L <= valid ? FloatVector.fromMemorySegment(S, b, from, NATIVE)
                                : col < valid ? FloatVector.fromMemorySegment(S, b, from, NATIVE, edgeLanes) : zero;
                        x.intoArray(bp, to + v * L);
                    }
                }
            }
        } else {
            // a panel's NR rows of B staged whole, then written out depth by depth: sequential
            // stores instead of one store every NR floats
            float[] rows = buf.row(NR * kc);
            for (int q = q0; q < q1; q++) {
                int base = base0 + q * NR * kc;
                int valid = Math.min(NR, nc - q * NR);
                for (int j = 0; j < valid; j++) {
                    MemorySegment.copy(b, F, (bOffset + (long) (jc + q * NR + j) * ldb + pc) * Float.BYTES, rows,
                            j * kc, kc);
                }
                java.util.Arrays.fill(rows, valid * kc, NR * kc, 0f);
                if (GATHER) {
                    // a depth's NR floats are NV gathers of the staged rows, kc apart
                    int[] idx = buf.columns(kc);
                    for (int p = 0; p < kc; p++) {
                        int at = base + p * NR;
                        for (int v = 0; v < NV; v++) {
                            FloatVector.fromArray(S, rows, p, idx, v * L).intoArray(bp, at + v * L);
                        }
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        int at = base + p * NR;
                        for (int j = 0; j < NR; j++) {
                            bp[at + j] = rows[j * kc + p];
                        }
                    }
                }
            }
        }
    }

    /**
     * Writes a finished tile (tmp[i*nr + j]) to C: mode 0: C = acc; 1: C = acc + C*beta; 2: C = acc + C.
     * Whole vectors of columns go by vectors, the rest of an edge tile element by element, with the
     * same arithmetic. The accumulators pass through the (L1-resident) array so that no vector crosses
     * a call.
     */
    static void storeTile(float[] tmp, int nr, MemorySegment c, long ci, long ldc, int rows, int cols, int mode,
                                  float beta) {
        int whole = cols / L * L;
        if (whole > 0) {
            for (int i = 0; i < rows; i++) {
                long o = (ci + i * ldc) * Float.BYTES;
                for (int v = 0; v < whole; v += L) {
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
            if (whole == cols) {
                return;
            }
        }
        for (int i = 0; i < rows; i++) {
            long o = ci + i * ldc;
            for (int j = whole; j < cols; j++) {
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

    /**
     * The 12 x 2-vector micro-kernel: acc[i][j] = sum over p of ap[ai + p*12 + i] * bp[bi + p*NR + j], one
     * fused multiply-add chain per element from zero, in 24 vector registers; then written to C.
     * (Generated code: one broadcast of an A element feeds 2 FMAs.)
     */
    private static void kernel12(float[] ap, int ai, float[] bp, int bi, int kc, MemorySegment c, long ci, long ldc,
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
        c0_0.intoArray(tmp, 0 * L); c0_1.intoArray(tmp, 1 * L);
        c1_0.intoArray(tmp, 2 * L); c1_1.intoArray(tmp, 3 * L);
        c2_0.intoArray(tmp, 4 * L); c2_1.intoArray(tmp, 5 * L);
        c3_0.intoArray(tmp, 6 * L); c3_1.intoArray(tmp, 7 * L);
        c4_0.intoArray(tmp, 8 * L); c4_1.intoArray(tmp, 9 * L);
        c5_0.intoArray(tmp, 10 * L); c5_1.intoArray(tmp, 11 * L);
        c6_0.intoArray(tmp, 12 * L); c6_1.intoArray(tmp, 13 * L);
        c7_0.intoArray(tmp, 14 * L); c7_1.intoArray(tmp, 15 * L);
        c8_0.intoArray(tmp, 16 * L); c8_1.intoArray(tmp, 17 * L);
        c9_0.intoArray(tmp, 18 * L); c9_1.intoArray(tmp, 19 * L);
        c10_0.intoArray(tmp, 20 * L); c10_1.intoArray(tmp, 21 * L);
        c11_0.intoArray(tmp, 22 * L); c11_1.intoArray(tmp, 23 * L);
        storeTile(tmp, 2 * L, c, ci, ldc, rows, cols, mode, beta);
    }

    /**
     * {@link #kernel12} reading a full tile of A in place: depth p of row i at byte aAt + i*aStride +
     * 4p of a (a row-major op(A)), instead of a packed tile. The same sums in the same order.
     */
    private static void kernel12DirectA(MemorySegment a, long aAt, long aStride, float[] bp, int bi, int kc,
                                        MemorySegment c, long ci, long ldc, int cols, int mode, float beta,
                                        float[] tmp) {
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
            long ao = aAt + (long) p * Float.BYTES;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + 1 * L);
            FloatVector av;
            av = FloatVector.broadcast(S, a.get(F, ao));
            c0_0 = av.fma(b0, c0_0); c0_1 = av.fma(b1, c0_1);
            av = FloatVector.broadcast(S, a.get(F, ao + 1 * aStride));
            c1_0 = av.fma(b0, c1_0); c1_1 = av.fma(b1, c1_1);
            av = FloatVector.broadcast(S, a.get(F, ao + 2 * aStride));
            c2_0 = av.fma(b0, c2_0); c2_1 = av.fma(b1, c2_1);
            av = FloatVector.broadcast(S, a.get(F, ao + 3 * aStride));
            c3_0 = av.fma(b0, c3_0); c3_1 = av.fma(b1, c3_1);
            av = FloatVector.broadcast(S, a.get(F, ao + 4 * aStride));
            c4_0 = av.fma(b0, c4_0); c4_1 = av.fma(b1, c4_1);
            av = FloatVector.broadcast(S, a.get(F, ao + 5 * aStride));
            c5_0 = av.fma(b0, c5_0); c5_1 = av.fma(b1, c5_1);
            av = FloatVector.broadcast(S, a.get(F, ao + 6 * aStride));
            c6_0 = av.fma(b0, c6_0); c6_1 = av.fma(b1, c6_1);
            av = FloatVector.broadcast(S, a.get(F, ao + 7 * aStride));
            c7_0 = av.fma(b0, c7_0); c7_1 = av.fma(b1, c7_1);
            av = FloatVector.broadcast(S, a.get(F, ao + 8 * aStride));
            c8_0 = av.fma(b0, c8_0); c8_1 = av.fma(b1, c8_1);
            av = FloatVector.broadcast(S, a.get(F, ao + 9 * aStride));
            c9_0 = av.fma(b0, c9_0); c9_1 = av.fma(b1, c9_1);
            av = FloatVector.broadcast(S, a.get(F, ao + 10 * aStride));
            c10_0 = av.fma(b0, c10_0); c10_1 = av.fma(b1, c10_1);
            av = FloatVector.broadcast(S, a.get(F, ao + 11 * aStride));
            c11_0 = av.fma(b0, c11_0); c11_1 = av.fma(b1, c11_1);
        }
        c0_0.intoArray(tmp, 0 * L); c0_1.intoArray(tmp, 1 * L);
        c1_0.intoArray(tmp, 2 * L); c1_1.intoArray(tmp, 3 * L);
        c2_0.intoArray(tmp, 4 * L); c2_1.intoArray(tmp, 5 * L);
        c3_0.intoArray(tmp, 6 * L); c3_1.intoArray(tmp, 7 * L);
        c4_0.intoArray(tmp, 8 * L); c4_1.intoArray(tmp, 9 * L);
        c5_0.intoArray(tmp, 10 * L); c5_1.intoArray(tmp, 11 * L);
        c6_0.intoArray(tmp, 12 * L); c6_1.intoArray(tmp, 13 * L);
        c7_0.intoArray(tmp, 14 * L); c7_1.intoArray(tmp, 15 * L);
        c8_0.intoArray(tmp, 16 * L); c8_1.intoArray(tmp, 17 * L);
        c9_0.intoArray(tmp, 18 * L); c9_1.intoArray(tmp, 19 * L);
        c10_0.intoArray(tmp, 20 * L); c10_1.intoArray(tmp, 21 * L);
        c11_0.intoArray(tmp, 22 * L); c11_1.intoArray(tmp, 23 * L);
        storeTile(tmp, 2 * L, c, ci, ldc, MR, cols, mode, beta);
    }

    /**
     * {@link #kernel12} reading B in place: depth p's NR floats are at byte bAt + p*bStride of b (a
     * full panel of a row-major B), instead of a packed panel. The same sums in the same order.
     */
    private static void kernel12Direct(float[] ap, int ai, MemorySegment b, long bAt, long bStride, int kc,
                                       MemorySegment c, long ci, long ldc, int rows, int cols, int mode, float beta,
                                       float[] tmp) {
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
            long bo = bAt + p * bStride;
            int ao = ai + p * 12;
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, bo, NATIVE);
            FloatVector b1 = FloatVector.fromMemorySegment(S, b, bo + (long) L * Float.BYTES, NATIVE);
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
        c0_0.intoArray(tmp, 0 * L); c0_1.intoArray(tmp, 1 * L);
        c1_0.intoArray(tmp, 2 * L); c1_1.intoArray(tmp, 3 * L);
        c2_0.intoArray(tmp, 4 * L); c2_1.intoArray(tmp, 5 * L);
        c3_0.intoArray(tmp, 6 * L); c3_1.intoArray(tmp, 7 * L);
        c4_0.intoArray(tmp, 8 * L); c4_1.intoArray(tmp, 9 * L);
        c5_0.intoArray(tmp, 10 * L); c5_1.intoArray(tmp, 11 * L);
        c6_0.intoArray(tmp, 12 * L); c6_1.intoArray(tmp, 13 * L);
        c7_0.intoArray(tmp, 14 * L); c7_1.intoArray(tmp, 15 * L);
        c8_0.intoArray(tmp, 16 * L); c8_1.intoArray(tmp, 17 * L);
        c9_0.intoArray(tmp, 18 * L); c9_1.intoArray(tmp, 19 * L);
        c10_0.intoArray(tmp, 20 * L); c10_1.intoArray(tmp, 21 * L);
        c11_0.intoArray(tmp, 22 * L); c11_1.intoArray(tmp, 23 * L);
        storeTile(tmp, 2 * L, c, ci, ldc, rows, cols, mode, beta);
    }

    /** {@link #kernel12} for a panel of at most L valid columns: one vector of accumulators a row, the same sums. */
    private static void kernel12Narrow(float[] ap, int ai, float[] bp, int bi, int kc, MemorySegment c, long ci,
                                       long ldc, int rows, int cols, int mode, float beta, float[] tmp) {
        FloatVector c0_0 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S);
        FloatVector c4_0 = FloatVector.zero(S);
        FloatVector c5_0 = FloatVector.zero(S);
        FloatVector c6_0 = FloatVector.zero(S);
        FloatVector c7_0 = FloatVector.zero(S);
        FloatVector c8_0 = FloatVector.zero(S);
        FloatVector c9_0 = FloatVector.zero(S);
        FloatVector c10_0 = FloatVector.zero(S);
        FloatVector c11_0 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * 2 * L;
            int ao = ai + p * 12;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ao]);
            c0_0 = a.fma(b0, c0_0);
            a = FloatVector.broadcast(S, ap[ao + 1]);
            c1_0 = a.fma(b0, c1_0);
            a = FloatVector.broadcast(S, ap[ao + 2]);
            c2_0 = a.fma(b0, c2_0);
            a = FloatVector.broadcast(S, ap[ao + 3]);
            c3_0 = a.fma(b0, c3_0);
            a = FloatVector.broadcast(S, ap[ao + 4]);
            c4_0 = a.fma(b0, c4_0);
            a = FloatVector.broadcast(S, ap[ao + 5]);
            c5_0 = a.fma(b0, c5_0);
            a = FloatVector.broadcast(S, ap[ao + 6]);
            c6_0 = a.fma(b0, c6_0);
            a = FloatVector.broadcast(S, ap[ao + 7]);
            c7_0 = a.fma(b0, c7_0);
            a = FloatVector.broadcast(S, ap[ao + 8]);
            c8_0 = a.fma(b0, c8_0);
            a = FloatVector.broadcast(S, ap[ao + 9]);
            c9_0 = a.fma(b0, c9_0);
            a = FloatVector.broadcast(S, ap[ao + 10]);
            c10_0 = a.fma(b0, c10_0);
            a = FloatVector.broadcast(S, ap[ao + 11]);
            c11_0 = a.fma(b0, c11_0);
        }
        c0_0.intoArray(tmp, 0 * L);
        c1_0.intoArray(tmp, 2 * L);
        c2_0.intoArray(tmp, 4 * L);
        c3_0.intoArray(tmp, 6 * L);
        c4_0.intoArray(tmp, 8 * L);
        c5_0.intoArray(tmp, 10 * L);
        c6_0.intoArray(tmp, 12 * L);
        c7_0.intoArray(tmp, 14 * L);
        c8_0.intoArray(tmp, 16 * L);
        c9_0.intoArray(tmp, 18 * L);
        c10_0.intoArray(tmp, 20 * L);
        c11_0.intoArray(tmp, 22 * L);
        storeTile(tmp, 2 * L, c, ci, ldc, rows, cols, mode, beta);
    }

    /** {@link #kernel12DirectA} for a panel of at most L valid columns. */
    private static void kernel12DirectANarrow(MemorySegment a, long aAt, long aStride, float[] bp, int bi, int kc,
                                        MemorySegment c, long ci, long ldc, int cols, int mode, float beta,
                                        float[] tmp) {
        FloatVector c0_0 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S);
        FloatVector c4_0 = FloatVector.zero(S);
        FloatVector c5_0 = FloatVector.zero(S);
        FloatVector c6_0 = FloatVector.zero(S);
        FloatVector c7_0 = FloatVector.zero(S);
        FloatVector c8_0 = FloatVector.zero(S);
        FloatVector c9_0 = FloatVector.zero(S);
        FloatVector c10_0 = FloatVector.zero(S);
        FloatVector c11_0 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * 2 * L;
            long ao = aAt + (long) p * Float.BYTES;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector av;
            av = FloatVector.broadcast(S, a.get(F, ao));
            c0_0 = av.fma(b0, c0_0);
            av = FloatVector.broadcast(S, a.get(F, ao + 1 * aStride));
            c1_0 = av.fma(b0, c1_0);
            av = FloatVector.broadcast(S, a.get(F, ao + 2 * aStride));
            c2_0 = av.fma(b0, c2_0);
            av = FloatVector.broadcast(S, a.get(F, ao + 3 * aStride));
            c3_0 = av.fma(b0, c3_0);
            av = FloatVector.broadcast(S, a.get(F, ao + 4 * aStride));
            c4_0 = av.fma(b0, c4_0);
            av = FloatVector.broadcast(S, a.get(F, ao + 5 * aStride));
            c5_0 = av.fma(b0, c5_0);
            av = FloatVector.broadcast(S, a.get(F, ao + 6 * aStride));
            c6_0 = av.fma(b0, c6_0);
            av = FloatVector.broadcast(S, a.get(F, ao + 7 * aStride));
            c7_0 = av.fma(b0, c7_0);
            av = FloatVector.broadcast(S, a.get(F, ao + 8 * aStride));
            c8_0 = av.fma(b0, c8_0);
            av = FloatVector.broadcast(S, a.get(F, ao + 9 * aStride));
            c9_0 = av.fma(b0, c9_0);
            av = FloatVector.broadcast(S, a.get(F, ao + 10 * aStride));
            c10_0 = av.fma(b0, c10_0);
            av = FloatVector.broadcast(S, a.get(F, ao + 11 * aStride));
            c11_0 = av.fma(b0, c11_0);
        }
        c0_0.intoArray(tmp, 0 * L);
        c1_0.intoArray(tmp, 2 * L);
        c2_0.intoArray(tmp, 4 * L);
        c3_0.intoArray(tmp, 6 * L);
        c4_0.intoArray(tmp, 8 * L);
        c5_0.intoArray(tmp, 10 * L);
        c6_0.intoArray(tmp, 12 * L);
        c7_0.intoArray(tmp, 14 * L);
        c8_0.intoArray(tmp, 16 * L);
        c9_0.intoArray(tmp, 18 * L);
        c10_0.intoArray(tmp, 20 * L);
        c11_0.intoArray(tmp, 22 * L);
        storeTile(tmp, 2 * L, c, ci, ldc, MR, cols, mode, beta);
    }

    /**
     * The 6 x 2-vector micro-kernel: acc[i][j] = sum over p of ap[ai + p*6 + i] * bp[bi + p*NR + j], one
     * fused multiply-add chain per element from zero, in 12 vector registers; then written to C.
     * (Generated code: one broadcast of an A element feeds 2 FMAs.)
     */
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
        c0_0.intoArray(tmp, 0 * L); c0_1.intoArray(tmp, 1 * L);
        c1_0.intoArray(tmp, 2 * L); c1_1.intoArray(tmp, 3 * L);
        c2_0.intoArray(tmp, 4 * L); c2_1.intoArray(tmp, 5 * L);
        c3_0.intoArray(tmp, 6 * L); c3_1.intoArray(tmp, 7 * L);
        c4_0.intoArray(tmp, 8 * L); c4_1.intoArray(tmp, 9 * L);
        c5_0.intoArray(tmp, 10 * L); c5_1.intoArray(tmp, 11 * L);
        storeTile(tmp, 2 * L, c, ci, ldc, rows, cols, mode, beta);
    }

    /**
     * The 4 x 2-vector micro-kernel for 16 vector registers: acc[i][j] = sum over p of
     * ap[ai + p*4 + i] * bp[bi + p*NR + j], one fused multiply-add chain per element from zero, in 8
     * vector registers (at most 14 live with the JIT's hoisted broadcasts); then written to C.
     */
    private static void kernel4(float[] ap, int ai, float[] bp, int bi, int kc, MemorySegment c, long ci, long ldc,
                                int rows, int cols, int mode, float beta, float[] tmp) {
        FloatVector c0_0 = FloatVector.zero(S); FloatVector c0_1 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S); FloatVector c1_1 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S); FloatVector c2_1 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S); FloatVector c3_1 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * 2 * L;
            int ao = ai + p * 4;
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
        }
        if (rows == 4 && cols == 2 * L && (mode != 1 || beta == 1f)) {
            // a whole tile, overwritten or accumulated: straight to C (storeTile's arithmetic, without
            // the pass through tmp, which cost 13% of a 4096x64x64 product); beta 1 accumulates too,
            // as C·1 is C exactly (an LSTM step's recurrent product adds to the input projection)
            long o = ci * Float.BYTES;
            long stride = ldc * Float.BYTES;
            long v = (long) L * Float.BYTES;
            boolean add = mode != 0;
            store(c0_0, c, o, add); store(c0_1, c, o + v, add);
            store(c1_0, c, o + stride, add); store(c1_1, c, o + stride + v, add);
            store(c2_0, c, o + 2 * stride, add); store(c2_1, c, o + 2 * stride + v, add);
            store(c3_0, c, o + 3 * stride, add); store(c3_1, c, o + 3 * stride + v, add);
            return;
        }
        c0_0.intoArray(tmp, 0 * L); c0_1.intoArray(tmp, 1 * L);
        c1_0.intoArray(tmp, 2 * L); c1_1.intoArray(tmp, 3 * L);
        c2_0.intoArray(tmp, 4 * L); c2_1.intoArray(tmp, 5 * L);
        c3_0.intoArray(tmp, 6 * L); c3_1.intoArray(tmp, 7 * L);
        storeTile(tmp, 2 * L, c, ci, ldc, rows, cols, mode, beta);
    }

    /**
     * Most columns of C for which a row-major op(A) is packed by whole rows (bulk copies) for
     * {@link #kernel4Rows} rather than depth by depth for {@link #kernel4}: where each A tile runs
     * along at most four panels, so that packing is a large share of the product. Measured on a
     * 2-core Zen 3, 2 threads, the two ways alternating in one JVM (medians): 4096x64x256 72-68 →
     * 83-78 GFLOP/s, 4096x64x64 98 → 103, 64x64x9000 (A·Bᵀ) 43-57 → 48-59; at 1024x1024x1024 the
     * row kernel was 4-5% slower (its four broadcast streams), where packing is a small share.
     */
    static final int ROWS_A_MAX_N = Integer.getInteger("isthmus.sgemm.rowsan", 4 * NR);

    /** Whether op(A)'s packed tiles hold whole rows ({@link #packWholeRows}) for a product of nc columns. */
    private static boolean rowsA(boolean transA, int nc) {
        return MR == 4 && !transA && nc <= ROWS_A_MAX_N;
    }

    /**
     * {@link #kernel4} on a tile packed by rows: depth p of row i at ap[ai + i*kc + p]. The same
     * sums in the same order.
     */
    private static void kernel4Rows(float[] ap, int ai, float[] bp, int bi, int kc, MemorySegment c, long ci, long ldc,
                                int rows, int cols, int mode, float beta, float[] tmp) {
        FloatVector c0_0 = FloatVector.zero(S); FloatVector c0_1 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S); FloatVector c1_1 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S); FloatVector c2_1 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S); FloatVector c3_1 = FloatVector.zero(S);
        int a1 = ai + kc;
        int a2 = ai + 2 * kc;
        int a3 = ai + 3 * kc;
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * 2 * L;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + 1 * L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ai + p]);
            c0_0 = a.fma(b0, c0_0); c0_1 = a.fma(b1, c0_1);
            a = FloatVector.broadcast(S, ap[a1 + p]);
            c1_0 = a.fma(b0, c1_0); c1_1 = a.fma(b1, c1_1);
            a = FloatVector.broadcast(S, ap[a2 + p]);
            c2_0 = a.fma(b0, c2_0); c2_1 = a.fma(b1, c2_1);
            a = FloatVector.broadcast(S, ap[a3 + p]);
            c3_0 = a.fma(b0, c3_0); c3_1 = a.fma(b1, c3_1);
        }
        if (rows == 4 && cols == 2 * L && (mode != 1 || beta == 1f)) {
            // a whole tile, overwritten or accumulated: straight to C (storeTile's arithmetic, without
            // the pass through tmp, which cost 13% of a 4096x64x64 product); beta 1 accumulates too,
            // as C·1 is C exactly (an LSTM step's recurrent product adds to the input projection)
            long o = ci * Float.BYTES;
            long stride = ldc * Float.BYTES;
            long v = (long) L * Float.BYTES;
            boolean add = mode != 0;
            store(c0_0, c, o, add); store(c0_1, c, o + v, add);
            store(c1_0, c, o + stride, add); store(c1_1, c, o + stride + v, add);
            store(c2_0, c, o + 2 * stride, add); store(c2_1, c, o + 2 * stride + v, add);
            store(c3_0, c, o + 3 * stride, add); store(c3_1, c, o + 3 * stride + v, add);
            return;
        }
        c0_0.intoArray(tmp, 0 * L); c0_1.intoArray(tmp, 1 * L);
        c1_0.intoArray(tmp, 2 * L); c1_1.intoArray(tmp, 3 * L);
        c2_0.intoArray(tmp, 4 * L); c2_1.intoArray(tmp, 5 * L);
        c3_0.intoArray(tmp, 6 * L); c3_1.intoArray(tmp, 7 * L);
        storeTile(tmp, 2 * L, c, ci, ldc, rows, cols, mode, beta);
    }

    /** acc (plus C's floats there, if add) into C at byte offset off. */
    private static void store(FloatVector acc, MemorySegment c, long off, boolean add) {
        if (add) {
            acc = acc.add(FloatVector.fromMemorySegment(S, c, off, NATIVE));
        }
        acc.intoMemorySegment(c, off, NATIVE);
    }

    /**
     * {@link #kernel4} reading a full tile of A in place: depth p of row i at byte aAt + i*aStride + 4p
     * of a (a row-major op(A)), instead of a packed tile. The same sums in the same order.
     */
    private static void kernel4DirectA(MemorySegment a, long aAt, long aStride, float[] bp, int bi, int kc,
                                       MemorySegment c, long ci, long ldc, int cols, int mode, float beta,
                                       float[] tmp) {
        FloatVector c0_0 = FloatVector.zero(S); FloatVector c0_1 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S); FloatVector c1_1 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S); FloatVector c2_1 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S); FloatVector c3_1 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * 2 * L;
            long ao = aAt + (long) p * Float.BYTES;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + 1 * L);
            FloatVector av;
            av = FloatVector.broadcast(S, a.get(F, ao));
            c0_0 = av.fma(b0, c0_0); c0_1 = av.fma(b1, c0_1);
            av = FloatVector.broadcast(S, a.get(F, ao + aStride));
            c1_0 = av.fma(b0, c1_0); c1_1 = av.fma(b1, c1_1);
            av = FloatVector.broadcast(S, a.get(F, ao + 2 * aStride));
            c2_0 = av.fma(b0, c2_0); c2_1 = av.fma(b1, c2_1);
            av = FloatVector.broadcast(S, a.get(F, ao + 3 * aStride));
            c3_0 = av.fma(b0, c3_0); c3_1 = av.fma(b1, c3_1);
        }
        c0_0.intoArray(tmp, 0 * L); c0_1.intoArray(tmp, 1 * L);
        c1_0.intoArray(tmp, 2 * L); c1_1.intoArray(tmp, 3 * L);
        c2_0.intoArray(tmp, 4 * L); c2_1.intoArray(tmp, 5 * L);
        c3_0.intoArray(tmp, 6 * L); c3_1.intoArray(tmp, 7 * L);
        storeTile(tmp, 2 * L, c, ci, ldc, MR, cols, mode, beta);
    }
}
