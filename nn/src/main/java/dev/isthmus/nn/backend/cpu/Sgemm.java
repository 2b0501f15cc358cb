package dev.isthmus.nn.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Single-precision matrix multiply on the CPU, row-major, BLAS semantics:
 * {@code C = alpha * op(A) · op(B) + beta * C}.
 *
 * <p>Two implementations: a BLIS-style one built on the Vector API ({@code jdk.incubator.vector},
 * used when the module is in the boot layer and {@code -Disthmus.cpu.vector=false} is not set), and
 * plain loops. The vector code lives in its own class, loaded only when it is used, so this class
 * works on a JVM started without {@code --add-modules jdk.incubator.vector}. Both are deterministic:
 * the result does not depend on the number of threads.
 */
public final class Sgemm {
    private Sgemm() {
    }

    /** Below this many multiply-adds the plain loops run on the calling thread (no packing, no tasks). */
    static final long SMALL_FMAS = 32_768;

    private static final boolean VECTOR;
    private static final String DESCRIPTION;

    static {
        boolean ok = false;
        String description;
        if ("false".equalsIgnoreCase(System.getProperty("isthmus.cpu.vector", "").trim())) {
            description = "plain loops (vector path disabled by -Disthmus.cpu.vector=false)";
        } else if (!ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            description = "plain loops (jdk.incubator.vector absent; run java with --add-modules jdk.incubator.vector)";
        } else {
            try {
                description = VectorSgemmKernel.describe();
                ok = VectorSgemmKernel.L >= 4;
                if (!ok) {
                    description = "plain loops (vectors of " + VectorSgemmKernel.L + " floats are too short)";
                }
            } catch (LinkageError | RuntimeException e) {
                description = "plain loops (Vector API unusable: " + e + ")";
            }
        }
        VECTOR = ok;
        DESCRIPTION = description;
    }

    /**
     * Row-major C = alpha * op(A) · op(B) + beta * C. op(A) is m×k; A is stored m×k (lda ≥ k) or, if
     * transA, k×m (lda ≥ m). op(B) is k×n; B stored k×n (ldb ≥ n) or, if transB, n×k (ldb ≥ k).
     * Offsets and leading dimensions are in floats. beta == 0 means C is overwritten (NaNs in C
     * ignored).
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             MemorySegment a, long aOffset, int lda,
                             MemorySegment b, long bOffset, int ldb,
                             float beta, MemorySegment c, long cOffset, int ldc,
                             CpuThreads threads) {
        run(VECTOR, transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc, threads);
    }

    /** Same as {@link #sgemm}, forcing the plain-loop (no Vector API) path. */
    public static void sgemmPlain(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                  MemorySegment a, long aOffset, int lda,
                                  MemorySegment b, long bOffset, int ldb,
                                  float beta, MemorySegment c, long cOffset, int ldc,
                                  CpuThreads threads) {
        run(false, transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc, threads);
    }

    /** True when the Vector API path is in use (module present and not disabled by -Disthmus.cpu.vector=false). */
    public static boolean vectorized() {
        return VECTOR;
    }

    /** A short description of the implementation in use. */
    public static String describe() {
        return DESCRIPTION;
    }

    private static void run(boolean vector, boolean transA, boolean transB, int m, int n, int k, float alpha,
                            MemorySegment a, long aOffset, int lda,
                            MemorySegment b, long bOffset, int ldb,
                            float beta, MemorySegment c, long cOffset, int ldc,
                            CpuThreads threads) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative size: m=" + m + " n=" + n + " k=" + k);
        }
        if (threads == null) {
            throw new NullPointerException("threads");
        }
        if (m == 0 || n == 0) {
            return;
        }
        check("C", c, cOffset, m, n, ldc);
        if (k == 0 || alpha == 0f) {
            scale(m, n, beta, c, cOffset, ldc);
            return;
        }
        check("A", a, aOffset, transA ? k : m, transA ? m : k, lda);
        check("B", b, bOffset, transB ? n : k, transB ? k : n, ldb);
        boolean small = (long) m * n * k < SMALL_FMAS;
        if (small || !vector) {
            // Small products: plain loops on the calling thread, no packing of A, no hand-off.
            PlainSgemmKernel.gemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset,
                    ldc, small ? ONE_THREAD : threads);
            return;
        }
        if (VectorSmallSgemm.suits(transA, transB, m, n, k, lda, ldb)) {
            // below the vector kernel's threading threshold too: one thread either way, the same bits
            VectorSmallSgemm.gemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset,
                    ldc);
            return;
        }
        VectorSgemmKernel.gemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset,
                ldc, threads);
    }

    /**
     * op(B) for a series of products with the same right-hand side (an LSTM's recurrent kernel, one
     * product per time step), packed once for the vector kernel instead of once per product.
     */
    static final class PackedB {
        final boolean transB;
        final int k;
        final int n;
        final MemorySegment b;
        final long offset;
        final int ldb;
        /** The vector kernel's panels; null when the products go through {@link #sgemm} unpacked. */
        final float[] panels;

        private PackedB(boolean transB, int k, int n, MemorySegment b, long offset, int ldb, float[] panels) {
            this.transB = transB;
            this.k = k;
            this.n = n;
            this.b = b;
            this.offset = offset;
            this.ldb = ldb;
            this.panels = panels;
        }
    }

    /** op(B), k×n, packed for {@link #sgemm(boolean, int, float, MemorySegment, long, int, PackedB, float, MemorySegment, long, int, CpuThreads)}; B must not change while it is used. */
    static PackedB pack(boolean transB, int k, int n, MemorySegment b, long bOffset, int ldb) {
        boolean packs = VECTOR && k > 0 && n > 0 && VectorSgemmKernel.packsWhole(n, k);
        if (packs) {
            check("B", b, bOffset, transB ? n : k, transB ? k : n, ldb);
        }
        return new PackedB(transB, k, n, b, bOffset, ldb,
                packs ? VectorSgemmKernel.packAll(transB, k, n, b, bOffset, ldb) : null);
    }

    /** C = alpha * op(A) · op(B) + beta * C for a packed op(B): what {@link #sgemm} computes, bit for bit. */
    static void sgemm(boolean transA, int m, float alpha, MemorySegment a, long aOffset, int lda, PackedB b,
                      float beta, MemorySegment c, long cOffset, int ldc, CpuThreads threads) {
        int n = b.n;
        int k = b.k;
        if (b.panels == null || m <= 0 || alpha == 0f || (long) m * n * k < SMALL_FMAS) {
            sgemm(transA, b.transB, m, n, k, alpha, a, aOffset, lda, b.b, b.offset, b.ldb, beta, c, cOffset, ldc,
                    threads);
            return;
        }
        check("C", c, cOffset, m, n, ldc);
        check("A", a, aOffset, transA ? k : m, transA ? m : k, lda);
        VectorSgemmKernel.gemmPacked(transA, m, n, k, alpha, a, aOffset, lda, b.panels, beta, c, cOffset, ldc, threads);
    }

    /** The calling thread alone (a CpuThreads of one has no worker threads). */
    static final CpuThreads ONE_THREAD = new CpuThreads(1);

    private static void check(String name, MemorySegment s, long offset, int rows, int cols, int ld) {
        if (s == null) {
            throw new NullPointerException(name);
        }
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("leading dimension of " + name + " is " + ld + ", needs >= " + cols);
        }
        if (offset < 0) {
            throw new IndexOutOfBoundsException("offset of " + name + " is negative: " + offset);
        }
        long end = offset + (long) (rows - 1) * ld + cols; // in floats, exclusive
        if (end > s.byteSize() / Float.BYTES) {
            throw new IndexOutOfBoundsException(name + " needs " + end + " floats from its segment but it holds "
                    + s.byteSize() / Float.BYTES);
        }
    }

    /** C = beta * C (beta == 0: zeros, whatever C held). */
    private static void scale(int m, int n, float beta, MemorySegment c, long cOffset, int ldc) {
        if (beta == 1f) {
            return;
        }
        ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT_UNALIGNED;
        for (int i = 0; i < m; i++) {
            long row = cOffset + (long) i * ldc;
            if (beta == 0f) {
                c.asSlice(row * Float.BYTES, (long) n * Float.BYTES).fill((byte) 0);
            } else {
                for (int j = 0; j < n; j++) {
                    long off = (row + j) * Float.BYTES;
                    c.set(f, off, beta * c.get(f, off));
                }
            }
        }
    }
}
