package dev.isthmus.nn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class SgemmTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final int[] ODD = {1, 7, 17, 33, 65, 129};

    private static CpuThreads one;
    private static CpuThreads two;
    private static CpuThreads three;

    @BeforeAll
    static void threads() {
        one = new CpuThreads(1);
        two = new CpuThreads(2);
        three = new CpuThreads(3);
    }

    @AfterAll
    static void close() {
        one.close();
        two.close();
        three.close();
    }

    /** One GEMM problem: sizes, layouts (leading dimensions, offsets) and scalars. */
    private record Problem(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                           int padA, int padB, int padC, long offA, long offB, long offC) {
        int lda() {
            return (transA ? m : k) + padA;
        }

        int ldb() {
            return (transB ? k : n) + padB;
        }

        int ldc() {
            return n + padC;
        }

        long sizeA() {
            return offA + (long) (transA ? k : m) * lda();
        }

        long sizeB() {
            return offB + (long) (transB ? n : k) * ldb();
        }

        long sizeC() {
            return offC + (long) m * ldc();
        }

        double a(MemorySegment s, int i, int p) {
            return s.getAtIndex(F, offA + (transA ? (long) p * lda() + i : (long) i * lda() + p));
        }

        double b(MemorySegment s, int p, int j) {
            return s.getAtIndex(F, offB + (transB ? (long) j * ldb() + p : (long) p * ldb() + j));
        }

        long c(int i, int j) {
            return offC + (long) i * ldc() + j;
        }

        static Problem plain(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta) {
            return new Problem(transA, transB, m, n, k, alpha, beta, 0, 0, 0, 0, 0, 0);
        }
    }

    private interface Gemm {
        void run(Problem p, MemorySegment a, MemorySegment b, MemorySegment c, CpuThreads threads);
    }

    private static final Gemm AUTO = (p, a, b, c, t) -> Sgemm.sgemm(p.transA, p.transB, p.m, p.n, p.k, p.alpha,
            a, p.offA, p.lda(), b, p.offB, p.ldb(), p.beta, c, p.offC, p.ldc(), t);
    private static final Gemm PLAIN = (p, a, b, c, t) -> Sgemm.sgemmPlain(p.transA, p.transB, p.m, p.n, p.k,
            p.alpha, a, p.offA, p.lda(), b, p.offB, p.ldb(), p.beta, c, p.offC, p.ldc(), t);

    private static MemorySegment random(Arena arena, long floats, long seed) {
        MemorySegment s = arena.allocate(Math.max(1, floats) * Float.BYTES, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < floats; i++) {
            s.setAtIndex(F, i, (float) (r.nextDouble() * 2 - 1));
        }
        return s;
    }

    /**
     * A problem's random operands (seeds seed, seed + 1, seed + 2), C's window NaN when asked; shared
     * memory, since worker threads read and write it.
     */
    private record Operands(MemorySegment a, MemorySegment b, MemorySegment c) {
        static Operands of(Arena arena, Problem p, long seed, boolean nanInC) {
            MemorySegment c = random(arena, p.sizeC(), seed + 2);
            if (nanInC) {
                fillWindow(p, c, Float.NaN);
            }
            return new Operands(random(arena, p.sizeA(), seed), random(arena, p.sizeB(), seed + 1), c);
        }

        /** C after {@code gemm} runs on a copy of it (this C stays as it was). */
        MemorySegment run(Arena arena, Gemm gemm, Problem p, CpuThreads threads) {
            MemorySegment out = arena.allocate(c.byteSize(), 64).copyFrom(c);
            gemm.run(p, a, b, out, threads);
            return out;
        }
    }

    /** Sets every element of p's m x n window of C to {@code value} (the padding between rows stays). */
    private static void fillWindow(Problem p, MemorySegment c, float value) {
        for (int i = 0; i < p.m; i++) {
            for (int j = 0; j < p.n; j++) {
                c.setAtIndex(F, p.c(i, j), value);
            }
        }
    }

    /**
     * Runs {@code gemm} on problem {@code p} and checks every element of C (and that the padding
     * between rows of C is untouched) against a double-precision reference, within a bound on
     * float32 rounding: |error| <= (k + 4) * 2^-23 * (|alpha| * sum|a*b| + |beta*c|).
     */
    private static MemorySegment check(Gemm gemm, Problem p, CpuThreads threads, long seed, boolean nanInC) {
        try (Arena arena = Arena.ofShared()) {
            Operands in = Operands.of(arena, p, seed, nanInC);
            MemorySegment a = in.a();
            MemorySegment b = in.b();
            MemorySegment before = in.c();
            MemorySegment c = in.run(arena, gemm, p, threads);
            double eps = Math.ulp(1f);
            for (int i = 0; i < p.m; i++) {
                for (int j = 0; j < p.n; j++) {
                    double sum = 0;
                    double abs = 0;
                    for (int q = 0; q < p.k; q++) {
                        double prod = p.a(a, i, q) * p.b(b, q, j);
                        sum += prod;
                        abs += Math.abs(prod);
                    }
                    double old = before.getAtIndex(F, p.c(i, j));
                    double ref = p.alpha * sum + (p.beta == 0f ? 0 : p.beta * old);
                    double scale = Math.abs(p.alpha) * abs + (p.beta == 0f ? 0 : Math.abs(p.beta * old));
                    double got = c.getAtIndex(F, p.c(i, j));
                    double tol = (p.k + 4) * eps * scale + Float.MIN_NORMAL;
                    if (!(Math.abs(got - ref) <= tol)) {
                        fail(p + ": C[" + i + "][" + j + "] = " + got + ", expected " + ref + " (tolerance " + tol + ")");
                    }
                }
            }
            // Outside the m x n window (offset, row padding) nothing may change.
            for (long x = 0; x < p.sizeC(); x++) {
                long rel = x - p.offC;
                boolean inside = rel >= 0 && rel % p.ldc() < p.n;
                if (!inside) {
                    assertEquals(Float.floatToRawIntBits(before.getAtIndex(F, x)),
                            Float.floatToRawIntBits(c.getAtIndex(F, x)), p + ": C touched outside its window at " + x);
                }
            }
            return Arena.ofAuto().allocate(c.byteSize(), 64).copyFrom(c);
        }
    }

    @Test
    void describesItself() {
        boolean expected = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                && !"false".equalsIgnoreCase(System.getProperty("isthmus.cpu.vector", ""));
        assertEquals(expected, Sgemm.vectorized(), Sgemm.describe());
        assertFalse(Sgemm.describe().isBlank());
        assertTrue(Sgemm.describe().startsWith(Sgemm.vectorized() ? "vector" : "plain"), Sgemm.describe());
    }

    @Test
    void oddShapesAllTransposesVector() {
        oddShapes(AUTO, two);
    }

    @Test
    void oddShapesAllTransposesPlain() {
        oddShapes(PLAIN, two);
    }

    private static void oddShapes(Gemm gemm, CpuThreads threads) {
        float[] alphas = {1f, -0.5f, 2.5f};
        float[] betas = {0f, 1f, 0.75f};
        int count = 0;
        for (int ta = 0; ta < 2; ta++) {
            for (int tb = 0; tb < 2; tb++) {
                for (int m : ODD) {
                    for (int n : ODD) {
                        for (int k : ODD) {
                            Problem p = Problem.plain(ta == 1, tb == 1, m, n, k, alphas[count % 3],
                                    betas[(count / 3) % 3]);
                            check(gemm, p, threads, count, false);
                            count++;
                        }
                    }
                }
            }
        }
    }

    /** Shapes past the block sizes: several depth blocks, several column blocks, many tasks. */
    @Test
    void largeShapesVector() {
        largeShapes(AUTO);
    }

    @Test
    void largeShapesPlain() {
        largeShapes(PLAIN);
    }

    private static void largeShapes(Gemm gemm) {
        long seed = 100;
        for (int ta = 0; ta < 2; ta++) {
            for (int tb = 0; tb < 2; tb++) {
                check(gemm, Problem.plain(ta == 1, tb == 1, 263, 301, 600, 1f, 0.5f), two, seed++, false);
                check(gemm, Problem.plain(ta == 1, tb == 1, 13, 4100, 530, -1.5f, 0f), two, seed++, false);
                check(gemm, Problem.plain(ta == 1, tb == 1, 2, 70, 3000, 1f, 1f), two, seed++, false);
            }
        }
    }

    @Test
    void betaZeroIgnoresNaNInC() {
        for (Gemm gemm : List.of(AUTO, PLAIN)) {
            for (int size : new int[] {3, 20, 100}) {
                for (int ta = 0; ta < 2; ta++) {
                    for (int tb = 0; tb < 2; tb++) {
                        check(gemm, Problem.plain(ta == 1, tb == 1, size, size + 1, size + 2, 1.25f, 0f), two,
                                size, true);
                    }
                }
            }
        }
    }

    @Test
    void offsetsAndLeadingDimensions() {
        long seed = 7;
        for (Gemm gemm : List.of(AUTO, PLAIN)) {
            for (int ta = 0; ta < 2; ta++) {
                for (int tb = 0; tb < 2; tb++) {
                    for (int[] s : new int[][] {{5, 6, 7}, {33, 65, 17}, {130, 97, 260}}) {
                        Problem p = new Problem(ta == 1, tb == 1, s[0], s[1], s[2], 0.75f, -0.5f,
                                3, 17, 5, 11, 1, 29);
                        check(gemm, p, two, seed++, false);
                    }
                }
            }
        }
    }

    @Test
    void zeroDepthOrAlphaScalesC() {
        for (Gemm gemm : List.of(AUTO, PLAIN)) {
            for (float beta : new float[] {0f, 1f, -2f}) {
                check(gemm, Problem.plain(false, false, 9, 11, 0, 1f, beta), two, 3, false);
                check(gemm, Problem.plain(true, true, 40, 50, 60, 0f, beta), two, 4, false);
            }
            check(gemm, Problem.plain(false, false, 0, 11, 5, 1f, 0f), two, 5, false);
            check(gemm, Problem.plain(false, false, 11, 0, 5, 1f, 0f), two, 6, false);
        }
    }

    @Test
    void vectorAndPlainAgree() {
        long seed = 1000;
        for (int ta = 0; ta < 2; ta++) {
            for (int tb = 0; tb < 2; tb++) {
                for (int[] s : new int[][] {{10, 10, 10}, {64, 64, 64}, {129, 257, 65}, {200, 300, 600}}) {
                    Problem p = Problem.plain(ta == 1, tb == 1, s[0], s[1], s[2], 1f, 0f);
                    MemorySegment v = check(AUTO, p, two, seed, false);
                    MemorySegment q = check(PLAIN, p, two, seed, false);
                    double maxAbs = 0;
                    double maxDiff = 0;
                    for (long x = 0; x < p.sizeC(); x++) {
                        maxAbs = Math.max(maxAbs, Math.abs(q.getAtIndex(F, x)));
                        maxDiff = Math.max(maxDiff, Math.abs(v.getAtIndex(F, x) - q.getAtIndex(F, x)));
                    }
                    assertTrue(maxDiff <= 1e-5 * Math.max(1, maxAbs) * Math.sqrt(s[2]),
                            p + ": vector and plain differ by " + maxDiff);
                    seed++;
                }
            }
        }
    }

    /**
     * Beta 1 within one depth block is C plus the product, rounded once: the bits of the beta-0
     * product added to C, on whole tiles (which write C straight from the registers) and edge tiles,
     * with both transposes, on one and two threads, also with NaN and -0 in C.
     */
    @Test
    void betaOneIsTheProductAddedToC() {
        Assumptions.assumeTrue(Sgemm.vectorized(), "the Vector API path is not in use");
        long seed = 7000;
        for (int[] s : new int[][] {{64, 256, 64}, {32, 256, 64}, {7, 33, 50}, {130, 70, VectorSgemmKernel.KC}}) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            for (int ta = 0; ta < 2; ta++) {
                for (CpuThreads t : List.of(one, two)) {
                    try (Arena arena = Arena.ofShared()) {
                        MemorySegment a = random(arena, (long) m * k, seed);
                        MemorySegment b = random(arena, (long) k * n, seed + 1);
                        MemorySegment c = random(arena, (long) m * n, seed + 2);
                        c.setAtIndex(F, 0, Float.NaN);
                        c.setAtIndex(F, 1, -0f);
                        MemorySegment product = arena.allocate((long) m * n * Float.BYTES, 64);
                        int lda = ta == 1 ? m : k;
                        VectorSgemmKernel.gemm(ta == 1, false, m, n, k, 0.5f, a, 0, lda, b, 0, n, 0f, product, 0, n, t,
                                "auto");
                        float[] want = new float[m * n];
                        for (int i = 0; i < want.length; i++) {
                            want[i] = product.getAtIndex(F, i) + c.getAtIndex(F, i);
                        }
                        VectorSgemmKernel.gemm(ta == 1, false, m, n, k, 0.5f, a, 0, lda, b, 0, n, 1f, c, 0, n, t, "auto");
                        for (int i = 0; i < want.length; i++) {
                            if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(c.getAtIndex(F, i))) {
                                fail(m + "x" + n + "x" + k + (ta == 1 ? " Aᵀ" : "") + " on " + t.count()
                                        + " threads, element " + i + ": " + c.getAtIndex(F, i) + ", want " + want[i]);
                            }
                        }
                    }
                    seed += 3;
                }
            }
        }
    }

    /**
     * The ways the vector kernel cuts C (by rows, op(B) packed once and shared; by columns, op(A)
     * packed once and shared; short products reading B in place, op(A) packed once) are right and give
     * the same bits, for any thread count: shapes with
     * several depth blocks, several L2 chunks of panels, edge tiles in both directions, both betas.
     */
    @Test
    void everySchemeAgreesBitForBit() {
        Assumptions.assumeTrue(Sgemm.vectorized(), "the Vector API path is not in use");
        long seed = 3000;
        for (int ta = 0; ta < 2; ta++) {
            for (int tb = 0; tb < 2; tb++) {
                // alpha 1 where the last element is 1 (narrow products then read A in place); n = 16 and 9 take the one-vector kernels
                for (int[] s : new int[][] {{517, 1043, 800, 0}, {40, 1500, 389, 0}, {530, 70, 100, 0}, {100, 70, 900, 1},
                        {7, 33, 50, 1}, {530, 20, 400, 1}, {70, 16, 300, 1}, {40, 9, 100, 0}}) {
                    Problem p = new Problem(ta == 1, tb == 1, s[0], s[1], s[2], s[3] == 1 ? 1f : 0.5f, ta == tb ? 0f : 0.25f,
                            1, 3, 2, 5, 0, 7);
                    // the columns scheme on 3 threads against the double reference, then every other
                    // scheme and thread count against it bit for bit
                    MemorySegment expected = check(scheme("columns"), p, three, seed, false);
                    try (Arena arena = Arena.ofShared()) {
                        MemorySegment a = random(arena, p.sizeA(), seed);
                        MemorySegment b = random(arena, p.sizeB(), seed + 1);
                        for (String scheme : List.of("rows", "columns", "direct-b", "auto")) {
                            for (CpuThreads t : List.of(one, two, three)) {
                                MemorySegment c = random(arena, p.sizeC(), seed + 2);
                                scheme(scheme).run(p, a, b, c, t);
                                assertEquals(-1L, expected.mismatch(c),
                                        p + ": " + scheme + " on " + t.count() + " threads differs from columns on 3");
                            }
                        }
                    }
                    seed += 3;
                }
            }
        }
    }

    /**
     * Deep products of two operands read along the depth (A by rows, op(B) = Bᵀ, k ≫ m, n: a Dense
     * layer's input gradient) take the dot-product kernel where there are 32 vector registers (forced
     * by the "dot" scheme with 16): right against the double reference with edge tiles in both
     * directions, depths past the last whole vector, offsets and row padding, both betas and NaNs in C
     * under beta 0; the same bits on 1, 2 and 3 threads and under auto where auto takes it; and forced
     * on shallow shapes too (no whole vector of depth, one tile or none).
     */
    @Test
    void deepProductsOfDepthRowsAsDotProducts() {
        Assumptions.assumeTrue(Sgemm.vectorized(), "the Vector API path is not in use");
        long seed = 5000;
        for (int[] s : new int[][] {{64, 64, 9000}, {7, 13, 2100}, {33, 5, 4099}, {1, 1, 2048}, {130, 6, 3000}}) {
            boolean auto = VectorDotSgemm.suits(false, true, s[0], s[1], s[2]);
            assertEquals(VectorSgemmKernel.REGISTERS >= 32, auto,
                    "auto takes " + java.util.Arrays.toString(s) + " with 32 vector registers only");
            for (float beta : new float[] {0f, 0.25f}) {
                Problem p = new Problem(false, true, s[0], s[1], s[2], 0.5f, beta, 3, 5, 2, 1, 7, 3);
                MemorySegment expected = check(scheme("dot"), p, two, seed, beta == 0f);
                try (Arena arena = Arena.ofShared()) {
                    Operands in = Operands.of(arena, p, seed, beta == 0f);
                    for (String scheme : auto ? List.of("auto", "dot") : List.of("dot")) {
                        for (CpuThreads t : List.of(one, two, three)) {
                            MemorySegment c = in.run(arena, scheme(scheme), p, t);
                            assertEquals(-1L, expected.mismatch(c),
                                    p + ": " + scheme + " on " + t.count() + " threads differs from dot on 2");
                        }
                    }
                }
                seed += 3;
            }
        }
        assertFalse(VectorDotSgemm.suits(false, true, 100, 70, 900), "a shallow product stays packed");
        assertFalse(VectorDotSgemm.suits(true, true, 64, 64, 9000), "a transposed A stays packed");
        assertFalse(VectorDotSgemm.suits(false, false, 64, 64, 9000), "B by depth rows only");
        for (int[] s : new int[][] {{10, 10, 10}, {9, 5, 37}, {3, 2, 5}, {4, 4, 16}, {17, 9, 300}}) {
            Problem p = new Problem(false, true, s[0], s[1], s[2], 1f, 0.5f, 1, 2, 3, 0, 1, 2);
            check(scheme("dot"), p, three, seed++, false);
        }
    }

    /**
     * Small products (attention's per-head shapes and odd ones: widths not a multiple of the lane
     * count, fewer rows than a register tile, depths past one depth block) take the small kernel
     * through {@link Sgemm#sgemm}, which must give the packed kernel's bits exactly, for every
     * transpose, both betas (NaNs in C under beta 0), alpha 1 and not, offsets and row padding.
     */
    @Test
    void smallProductsGiveThePackedKernelsBits() {
        Assumptions.assumeTrue(Sgemm.vectorized(), "the Vector API path is not in use");
        long seed = 7000;
        for (int[] s : new int[][] {{64, 16, 64}, {64, 64, 16}, {16, 64, 64}, {37, 23, 41}, {5, 300, 30},
                {64, 4, 1000}, {130, 33, 8}, {6, 48, 200}}) {
            assertTrue((long) s[0] * s[1] * s[2] >= Sgemm.SMALL_FMAS
                    && VectorSmallSgemm.suits(false, false, s[0], s[1], s[2], s[2] + 2, s[1] + 3)
                    && VectorSmallSgemm.suits(true, true, s[0], s[1], s[2], s[0] + 2, s[2] + 3),
                    "the small kernel takes " + java.util.Arrays.toString(s));
            for (int ta = 0; ta < 2; ta++) {
                for (int tb = 0; tb < 2; tb++) {
                    for (float beta : new float[] {0f, 0.25f}) {
                        Problem p = new Problem(ta == 1, tb == 1, s[0], s[1], s[2], (ta + tb) % 2 == 0 ? 1f : 0.75f,
                                beta, 2, 3, 1, 5, 2, 4);
                        check(AUTO, p, one, seed, beta == 0f);
                        try (Arena arena = Arena.ofShared()) {
                            Operands in = Operands.of(arena, p, seed, beta == 0f);
                            MemorySegment packed = in.run(arena, scheme("rows"), p, one);
                            MemorySegment small = in.run(arena, AUTO, p, two);
                            assertEquals(-1L, packed.mismatch(small), p + ": the small kernel differs from the packed one");
                        }
                        seed += 3;
                    }
                }
            }
        }
        assertFalse(VectorSmallSgemm.suits(false, false, 64, 64, 256, 256, 64), "a 1 M multiply-add product stays packed");
        assertFalse(VectorSmallSgemm.suits(false, false, 64, 16, 64, 100_000, 16),
                "rows of A far apart (a view into a wide matrix) stay packed rather than copied with their gaps");
        // such a view is still right through Sgemm (the packed path)
        check(AUTO, new Problem(false, false, 64, 16, 64, 1f, 0f, 4000, 0, 0, 0, 0, 0), one, 7777, false);
    }

    private static Gemm scheme(String scheme) {
        return (q, a, b, c, th) -> VectorSgemmKernel.gemm(q.transA, q.transB, q.m, q.n, q.k, q.alpha, a, q.offA,
                q.lda(), b, q.offB, q.ldb(), q.beta, c, q.offC, q.ldc(), th, scheme);
    }

    /** Every thread count gives the same bits, on both paths, including the small direct path. */
    @Test
    void bitIdenticalForAnyThreadCount() {
        long seed = 2000;
        for (Gemm gemm : List.of(AUTO, PLAIN)) {
            for (int ta = 0; ta < 2; ta++) {
                for (int tb = 0; tb < 2; tb++) {
                    for (int[] s : new int[][] {{10, 10, 10}, {301, 517, 389}, {1000, 40, 700}, {37, 1500, 1100}}) {
                        Problem p = Problem.plain(ta == 1, tb == 1, s[0], s[1], s[2], 0.5f, 0.25f);
                        List<MemorySegment> results = new ArrayList<>();
                        try (Arena arena = Arena.ofShared()) {
                            Operands in = Operands.of(arena, p, seed, false);
                            for (CpuThreads t : List.of(one, two, three)) {
                                results.add(in.run(arena, gemm, p, t));
                            }
                            for (int r = 1; r < results.size(); r++) {
                                assertEquals(-1L, results.get(0).mismatch(results.get(r)),
                                        p + ": results differ between 1 and " + (r + 1) + " threads");
                            }
                        }
                        seed += 3;
                    }
                }
            }
        }
    }

    /** The thread pool under Sgemm: each task once, errors reach the caller, nested and closed pools work. */
    @Test
    void cpuThreadsRunEveryTaskOnce() {
        CpuThreads t = new CpuThreads(3);
        try {
            for (int tasks : new int[] {1, 2, 3, 7, 1000}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(tasks);
                t.parallelFor(tasks, i -> {
                    hits.incrementAndGet(i);
                    t.parallelFor(3, j -> hits.addAndGet(i, 10)); // nested: runs inline or on the caller
                });
                for (int i = 0; i < tasks; i++) {
                    assertEquals(31, hits.get(i), "task " + i + " of " + tasks);
                }
            }
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> t.parallelFor(50, i -> {
                if (i == 17) {
                    throw boom;
                }
            }));
            assertEquals(boom, thrown);
            t.close();
            int[] count = new int[1];
            t.parallelFor(20, i -> {
                synchronized (count) {
                    count[0]++;
                }
            });
            assertEquals(20, count[0], "a closed CpuThreads still runs loops, on the caller");
        } finally {
            t.close(); // closing twice is harmless
        }
    }

    @Test
    void rejectsBadArguments() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(100 * Float.BYTES, 64);
            assertThrows(IllegalArgumentException.class,
                    () -> Sgemm.sgemm(false, false, 5, 5, 5, 1f, s, 0, 4, s, 0, 5, 0f, s, 0, 5, one));
            assertThrows(IllegalArgumentException.class,
                    () -> Sgemm.sgemm(false, false, -1, 5, 5, 1f, s, 0, 5, s, 0, 5, 0f, s, 0, 5, one));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> Sgemm.sgemm(false, false, 5, 5, 5, 1f, s, 90, 5, s, 0, 5, 0f, s, 0, 5, one));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> Sgemm.sgemm(false, false, 5, 5, 5, 1f, s, 0, 5, s, 0, 5, 0f, s, 80, 5, one));
            assertThrows(IllegalArgumentException.class,
                    () -> Sgemm.sgemmPlain(true, false, 5, 5, 5, 1f, s, 0, 4, s, 0, 5, 0f, s, 0, 5, one));
        }
    }

    /**
     * Without {@code --add-modules jdk.incubator.vector}, or with {@code -Disthmus.cpu.vector=false},
     * Sgemm still loads and computes, by the plain path.
     */
    @Test
    void worksWithoutTheVectorModule() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Just where Sgemm and this test were loaded from: Sgemm needs nothing else.
        String cp = location(Sgemm.class) + File.pathSeparator + location(NoVectorMain.class);
        String main = NoVectorMain.class.getName();
        assertEquals("false plain", runJava(List.of(java, "-cp", cp, main)));
        assertEquals("false plain", runJava(List.of(java, "--add-modules", "jdk.incubator.vector",
                "-Disthmus.cpu.vector=false", "-cp", cp, main)));
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String runJava(List<String> command) throws IOException, InterruptedException {
        Process proc = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = proc.getInputStream().readAllBytes();
        assertTrue(proc.waitFor(60, TimeUnit.SECONDS), "child JVM timed out");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, proc.exitValue(), text);
        String[] lines = text.strip().split("\\R");
        return lines[lines.length - 1];
    }

    @Test
    void productsWithAPackedRightHandSideEqualUnpackedOnesBitForBit() {
        // m, n, k, transA, transB, beta: an LSTM's recurrent products and their transposes, small to large
        int[][] shapes = {{32, 256, 64, 0, 0, 1}, {32, 64, 256, 0, 1, 0}, {1, 256, 64, 0, 0, 1}, {300, 40, 700, 1, 0, 0},
            {7, 33, 17, 0, 1, 1}, {256, 256, 64, 0, 0, 1}};
        try (Arena arena = Arena.ofShared()) {
            for (int[] s : shapes) {
                int m = s[0], n = s[1], k = s[2];
                boolean transA = s[3] == 1, transB = s[4] == 1;
                float beta = s[5];
                int lda = (transA ? m : k) + 3;
                int ldb = (transB ? k : n) + 5;
                int ldc = n + 2;
                MemorySegment a = random(arena, (long) (transA ? k : m) * lda, 1);
                MemorySegment b = random(arena, (long) (transB ? n : k) * ldb, 2);
                MemorySegment c0 = random(arena, (long) m * ldc, 3);
                Sgemm.PackedB packed = Sgemm.pack(transB, k, n, b, 0, ldb);
                for (CpuThreads t : new CpuThreads[] {one, two, three}) {
                    MemorySegment want = arena.allocate(c0.byteSize(), 64).copyFrom(c0);
                    MemorySegment got = arena.allocate(c0.byteSize(), 64).copyFrom(c0);
                    Sgemm.sgemm(transA, transB, m, n, k, 0.5f, a, 0, lda, b, 0, ldb, beta, want, 0, ldc, t);
                    Sgemm.sgemm(transA, m, 0.5f, a, 0, lda, packed, beta, got, 0, ldc, t);
                    assertEquals(-1, want.mismatch(got), "m=" + m + " n=" + n + " k=" + k + " on " + t.count());
                }
            }
        }
    }

    /** Run in a child JVM: prints "vectorized() first-word-of-describe()" after checking a product. */
    /**
     * The micro-tile's height (12 rows at 512-bit vectors, 4 or 6 at 256-bit) and the vector width
     * change which tile an element of C falls in, never its sum: the same products computed in child
     * JVMs limited to 256-bit vectors (-XX:MaxVectorSize=32) with 4-row and with 6-row tiles, 1 and 2
     * threads, give this JVM's bits. Shapes reach edge tiles in both directions, k past KC, every
     * transpose, alpha 1 (one-panel products then read A in place) and not, both betas; none is deep
     * enough for the dot-product kernel (its lanes set its order).
     */
    @Test
    void microTileHeightAndVectorWidthDoNotChangeBits() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Sgemm.vectorized(), "compares vector kernels; this JVM runs the plain loops");
        String here = TileBitsMain.digest();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = location(Sgemm.class) + File.pathSeparator + location(TileBitsMain.class);
        for (String mr : List.of("4", "6")) {
            String[] child = runJava(List.of(java, "--add-modules", "jdk.incubator.vector", "-XX:MaxVectorSize=32",
                    "-Disthmus.sgemm.mr=" + mr, "-cp", cp, TileBitsMain.class.getName())).split("\\|");
            assertTrue(child[0].contains("256-bit") && child[0].contains("micro-kernel " + mr + "x16"), child[0]);
            assertEquals(here, child[1], "256-bit vectors, " + mr + "-row tiles");
        }
    }

    static final class TileBitsMain {
        // m, n, k, transA, transB, beta: edge rows and columns, k past KC (384), a whole-vector n
        static final int[][] SHAPES = {{13, 35, 7, 0, 0, 0}, {97, 50, 400, 0, 0, 1}, {64, 64, 64, 1, 0, 0},
            {31, 130, 777, 0, 1, 1}, {200, 33, 129, 1, 1, 0}, {517, 47, 390, 0, 0, 1}, {6, 16, 1000, 0, 0, 0},
            {2000, 16, 70, 0, 0, 1}, {301, 13, 500, 0, 0, 0}};

        static String digest() {
            StringBuilder out = new StringBuilder();
            try (Arena arena = Arena.ofShared(); CpuThreads one = new CpuThreads(1); CpuThreads two = new CpuThreads(2)) {
                for (int[] s : SHAPES) {
                    int m = s[0], n = s[1], k = s[2];
                    boolean transA = s[3] == 1, transB = s[4] == 1;
                    int lda = (transA ? m : k) + 1, ldb = (transB ? k : n) + 3, ldc = n + 2;
                    MemorySegment a = random(arena, (long) (transA ? k : m) * lda, 7);
                    MemorySegment b = random(arena, (long) (transB ? n : k) * ldb, 8);
                    long h = 0;
                    for (CpuThreads t : List.of(one, two)) {
                        for (float alpha : new float[] {0.75f, 1f}) {
                            MemorySegment c = random(arena, (long) m * ldc, 9);
                            Sgemm.sgemm(transA, transB, m, n, k, alpha, a, 0, lda, b, 0, ldb, s[5], c, 0, ldc, t);
                            for (long i = 0; i < (long) m * ldc; i++) {
                                h = h * 1_000_003 + Float.floatToRawIntBits(c.getAtIndex(F, i));
                            }
                        }
                    }
                    out.append(Long.toHexString(h)).append(' ');
                }
            }
            return out.toString().strip();
        }

        public static void main(String[] args) {
            System.out.println(Sgemm.describe() + "|" + digest());
        }
    }

    static final class NoVectorMain {
        public static void main(String[] args) {
            try (Arena arena = Arena.ofConfined(); CpuThreads t = new CpuThreads(2)) {
                int n = 70;
                MemorySegment a = arena.allocate((long) n * n * Float.BYTES, 64);
                MemorySegment b = arena.allocate((long) n * n * Float.BYTES, 64);
                MemorySegment c = arena.allocate((long) n * n * Float.BYTES, 64);
                for (int i = 0; i < n; i++) {
                    a.setAtIndex(F, (long) i * n + i, 2f);
                    for (int j = 0; j < n; j++) {
                        b.setAtIndex(F, (long) i * n + j, i - j);
                    }
                }
                Sgemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n, t);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        if (c.getAtIndex(F, (long) i * n + j) != 2f * (i - j)) {
                            throw new AssertionError("wrong product at " + i + "," + j);
                        }
                    }
                }
            }
            System.out.println(Sgemm.vectorized() + " " + Sgemm.describe().split(" ")[0]);
        }
    }
}
