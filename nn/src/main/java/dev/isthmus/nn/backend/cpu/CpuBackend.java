package dev.isthmus.nn.backend.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.isthmus.nn.backend.Backend;
import dev.isthmus.nn.backend.BinaryOp;
import dev.isthmus.nn.backend.DeviceCell;
import dev.isthmus.nn.backend.ReduceOp;
import dev.isthmus.nn.backend.UnaryOp;
import dev.isthmus.nn.backend.Window2d;
import dev.isthmus.nn.tensor.CpuStorage;
import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.DeviceCounters;
import dev.isthmus.nn.tensor.IndexOutOfRangeException;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Shapes;
import dev.isthmus.nn.tensor.Storage;
import dev.isthmus.nn.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The pure-Java backend. Storage is off-heap ({@link CpuStorage}); GEMM is {@link Sgemm}
 * (Vector API when {@code jdk.incubator.vector} is present); elementwise work above a size
 * threshold is split over {@link CpuThreads}. Every result is independent of the thread count.
 */
public final class CpuBackend implements Backend {
    private static final long PARALLEL_MIN = 1 << 16;
    private static volatile CpuBackend shared;

    private volatile CpuThreads threads;

    private CpuBackend(CpuThreads threads) {
        this.threads = threads;
    }

    /**
     * The one CPU backend of this JVM, made on first use with {@link CpuThreads#fromEnvironment()} threads.
     * @throws IllegalArgumentException if {@code isthmus.cpu.threads} is not an integer
     */
    public static CpuBackend shared() {
        CpuBackend b = shared;
        if (b == null) {
            synchronized (CpuBackend.class) {
                if (shared == null) {
                    dev.isthmus.nn.backend.JvmFlags.warnOnceIfMissing();
                    shared = new CpuBackend(CpuThreads.fromEnvironment());
                }
                b = shared;
            }
        }
        return b;
    }

    /** Replaces the worker threads (e.g. to compare 1 and 2 threads); results never depend on it. */
    public synchronized void useThreads(int count) {
        CpuThreads old = threads;
        threads = new CpuThreads(count);
        old.close();
    }

    /** How many threads (the caller included) run the CPU ops. */
    public int threadCount() {
        return threads.count();
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public DeviceCounters counters() {
        return CpuStorage.counters();
    }

    @Override
    public String describe() {
        return "cpu (" + threads.count() + " threads, GEMM: " + Sgemm.describe() + ")";
    }

    @Override
    public Storage allocate(long numel, DType dtype, Scope owner) {
        return CpuStorage.allocate(numel, dtype, owner);
    }

    private static MemorySegment seg(Tensor t) {
        return ((CpuStorage) t.storage()).segment();
    }

    @Override
    public void copyRowAt(Tensor src, Tensor dst, DeviceCell row) {
        int r = seg(row.cells()).get(JAVA_INT, row.byteOffset());
        if (r >= 0 && r < dst.size(0)) {
            long bytes = src.storage().byteSize();
            MemorySegment.copy(seg(src), 0, seg(dst), r * bytes, bytes);
        }
    }

    @Override
    public void copyCell(DeviceCell cell, Tensor out) {
        if (out.numel() != 1 || out.dtype() != dev.isthmus.nn.tensor.DType.FLOAT32) {
            throw new IllegalArgumentException("copyCell writes one float32 element, got " + out.numel() + " of " + out.dtype());
        }
        seg(out).set(JAVA_FLOAT, 0, seg(cell.cells()).get(JAVA_FLOAT, cell.byteOffset()));
    }

    @Override
    public void copyFromHost(MemorySegment src, Tensor dst) {
        MemorySegment.copy(src, 0, seg(dst), 0, dst.storage().byteSize());
    }

    @Override
    public void copyToHost(Tensor src, MemorySegment dst) {
        counters().hostRead();
        MemorySegment.copy(seg(src), 0, dst, 0, src.storage().byteSize());
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        MemorySegment.copy(seg(src), 0, seg(dst), 0, src.storage().byteSize());
    }

    @Override
    public void cast(Tensor src, Tensor dst) {
        MemorySegment s = seg(src);
        MemorySegment d = seg(dst);
        DType from = src.dtype();
        DType to = dst.dtype();
        forChunks(src.numel(), (lo, hi) -> {
            for (long i = lo; i < hi; i++) {
                switch (to) {
                    case FLOAT32 -> d.setAtIndex(JAVA_FLOAT, i, switch (from) {
                        case FLOAT32 -> s.getAtIndex(JAVA_FLOAT, i);
                        case INT32 -> (float) s.getAtIndex(JAVA_INT, i);
                        case INT64 -> (float) s.getAtIndex(JAVA_LONG, i);
                    });
                    case INT32 -> d.setAtIndex(JAVA_INT, i, switch (from) {
                        case FLOAT32 -> (int) s.getAtIndex(JAVA_FLOAT, i);
                        case INT32 -> s.getAtIndex(JAVA_INT, i);
                        case INT64 -> (int) Math.clamp(s.getAtIndex(JAVA_LONG, i), Integer.MIN_VALUE, Integer.MAX_VALUE);
                    });
                    case INT64 -> d.setAtIndex(JAVA_LONG, i, switch (from) {
                        case FLOAT32 -> (long) s.getAtIndex(JAVA_FLOAT, i);
                        case INT32 -> s.getAtIndex(JAVA_INT, i);
                        case INT64 -> s.getAtIndex(JAVA_LONG, i);
                    });
                }
            }
        });
    }

    @Override
    public void fill(Tensor out, float value) {
        MemorySegment o = seg(out);
        long n = out.numel();
        // the threads share large fills (a 256 x 9000 gradient is 9 MB: 1 ms on one core)
        Chunk fill = (from, to) -> {
            if (value == 0f) {
                o.asSlice(from * Float.BYTES, (to - from) * Float.BYTES).fill((byte) 0);
            } else {
                for (long i = from; i < to; i++) {
                    o.setAtIndex(JAVA_FLOAT, i, value);
                }
            }
        };
        if (n < FILL_PARALLEL_MIN) {
            fill.run(0, n);
        } else {
            forChunks(n, fill);
        }
    }

    /** Floats below which one thread fills (under 1 MB the hand-off costs a good part of what it saves). */
    private static final long FILL_PARALLEL_MIN = 1 << 18;

    @Override
    public boolean fusesDropoutMask() {
        return true;
    }

    @Override
    public void dropoutMask(Tensor out, float rate, float scale, long seed) {
        MemorySegment o = seg(out);
        // random's UNIFORM draw on [0, 1) is u = k·2⁻²⁴ for the integer k = CounterRandom.bits24 (and
        // 0 + 1·u rounds to u), so GREATER's u > rate is k > floor(rate·2²⁴), exactly; AFFINE's
        // scale·1 + 0 and scale·0 + 0 are two constants. The keep bit picks one of them by a mask,
        // not a branch: a mispredicted branch every other element made this loop 7.5x slower
        // (11 against 1.5 ns an element on Zen 3).
        long threshold = rate != rate ? 1L << 24 : (long) Math.max(-1.0, Math.min(1 << 24, Math.floor(rate * 0x1.0p24)));
        int keep = Float.floatToRawIntBits(scale * 1f + 0f);
        int drop = Float.floatToRawIntBits(scale * 0f + 0f);
        forChunks(out.numel(), (from, to) -> {
            for (long i = from; i < to; i++) {
                int kept = (int) ((threshold - CounterRandom.bits24(seed, i)) >> 63);
                o.setAtIndex(JAVA_FLOAT, i, Float.intBitsToFloat(kept & keep | ~kept & drop));
            }
        });
    }

    @Override
    public void random(Tensor out, Distribution d, float a, float b, long seed) {
        MemorySegment o = seg(out);
        long n = out.numel();
        if (d == Distribution.UNIFORM) {
            // CounterRandom.sample's UNIFORM case with b - a taken once: the JIT does not hoist
            // sample's switch out of this loop, and the loop ran 4x slower through it
            float width = b - a;
            forChunks(n, (from, to) -> {
                for (long i = from; i < to; i++) {
                    o.setAtIndex(JAVA_FLOAT, i, a + width * CounterRandom.uniform(seed, i));
                }
            });
            return;
        }
        forChunks(n, (from, to) -> {
            for (long i = from; i < to; i++) {
                o.setAtIndex(JAVA_FLOAT, i, CounterRandom.sample(d, a, b, seed, i));
            }
        });
    }

    @Override
    public void random(Tensor out, Distribution d, float a, float b, DeviceCell seed) {
        random(out, d, a, b, seg(seed.cells()).get(JAVA_LONG, seed.byteOffset()));
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, long strideA,
                     Tensor b, long strideB, float beta, Tensor c, long strideC, int batch) {
        MemorySegment sa = seg(a);
        MemorySegment sb = seg(b);
        MemorySegment sc = seg(c);
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        if (batch > 1 && threads.count() > 1 && (long) m * n * k < BATCH_SPLIT_FMAS
                && (long) m * n * k * batch >= BATCH_SPLIT_FMAS / 4) {
            // many small products (attention's per-head ones): whole products shared out to the
            // threads, each on one thread (a product's bits do not depend on its thread count)
            int tasks = (int) Math.min(batch, threads.count() * 4L);
            threads.parallelFor(tasks, t -> {
                for (int i = (int) ((long) batch * t / tasks), end = (int) ((long) batch * (t + 1) / tasks); i < end; i++) {
                    Sgemm.sgemm(transA, transB, m, n, k, alpha, sa, i * strideA, lda, sb, i * strideB, ldb,
                            beta, sc, i * strideC, n, Sgemm.ONE_THREAD);
                }
            });
            return;
        }
        for (int i = 0; i < batch; i++) {
            Sgemm.sgemm(transA, transB, m, n, k, alpha, sa, i * strideA, lda, sb, i * strideB, ldb,
                    beta, sc, i * strideC, n, threads);
        }
    }

    /** Below this many multiply-adds a product of a batch is too small to split (Sgemm runs it on one thread). */
    private static final long BATCH_SPLIT_FMAS = 1L << 21;

    // ------------------------------------------------------------------ elementwise

    @Override
    public void unary(UnaryOp op, Tensor x, float p, float q, Tensor out) {
        MemorySegment xs = seg(x);
        MemorySegment os = seg(out);
        forChunks(x.numel(), (from, to) -> Elementwise.unary(op, xs, os, from, to, p, q));
    }

    @Override
    public void unaryBackward(UnaryOp op, Tensor x, Tensor y, Tensor gy, float p, float q, Tensor gx) {
        MemorySegment xs = seg(x);
        MemorySegment ys = seg(y);
        MemorySegment gs = seg(gy);
        MemorySegment os = seg(gx);
        forChunks(x.numel(), (from, to) -> Elementwise.unaryBackward(op, xs, ys, gs, os, from, to, p, q));
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        MemorySegment as = seg(a);
        MemorySegment bs = seg(b);
        MemorySegment os = seg(out);
        int[] shape = out.shape();
        long n = out.numel();
        if (n == 0) {
            return;
        }
        if (a.numel() == n && b.numel() == n) {
            forChunks(n, (from, to) -> Elementwise.binary(op, as, from, 1, bs, from, 1, os, from, to - from));
            return;
        }
        if (a.numel() == n && b.numel() == 1) {
            // against one value (a scalar, or a threshold as dropout's): contiguous chunks, b repeated
            forChunks(n, (from, to) -> Elementwise.binary(op, as, from, 1, bs, 0, 0, os, from, to - from));
            return;
        }
        if (b.numel() == n && a.numel() == 1) {
            forChunks(n, (from, to) -> Elementwise.binary(op, as, 0, 0, bs, from, 1, os, from, to - from));
            return;
        }
        int rank = shape.length;
        long match = Shapes.trailingMatch(b.shape(), shape);
        int inner = match > Integer.MAX_VALUE ? 0 : (int) match;
        if (a.numel() == n && inner > 0 && b.numel() == inner) {
            // b repeats along the leading axes of a (a bias): rows of a against one staged b
            long rows = n / inner;
            forChunks(rows, inner, (from, to) -> Elementwise.binaryRows(op, as, bs, os, inner, from, to));
            return;
        }
        long[] sa = Shapes.broadcastStrides(a.shape(), shape);
        long[] sb = Shapes.broadcastStrides(b.shape(), shape);
        int last = shape[rank - 1];
        long rowCount = n / last;
        long lastA = sa[rank - 1];
        long lastB = sb[rank - 1];
        forChunks(rowCount, last, (from, to) -> {
            int[] idx = new int[rank];
            long rem = from;
            for (int d = rank - 2; d >= 0; d--) {
                idx[d] = (int) (rem % shape[d]);
                rem /= shape[d];
            }
            for (long r = from; r < to; r++) {
                long offA = 0;
                long offB = 0;
                for (int d = 0; d < rank - 1; d++) {
                    offA += idx[d] * sa[d];
                    offB += idx[d] * sb[d];
                }
                Elementwise.binary(op, as, offA, lastA, bs, offB, lastB, os, r * last, last);
                for (int d = rank - 2; d >= 0; d--) {
                    if (++idx[d] < shape[d]) {
                        break;
                    }
                    idx[d] = 0;
                }
            }
        });
    }

    // ------------------------------------------------------------------ reductions

    @Override
    public void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out) {
        MemorySegment xs = seg(x);
        MemorySegment os = seg(out);
        int[] shape = x.shape();
        int rank = shape.length;
        long outN = out.numel();
        long n = x.numel();
        if (rank == 0 || n == 0) {
            os.setAtIndex(JAVA_FLOAT, 0, rank == 0 ? xs.getAtIndex(JAVA_FLOAT, 0) : 0f);
            return;
        }
        long[] outStrides = Shapes.broadcastStrides(out.shape(), shape);
        int inner = shape[rank - 1];
        int[] kept = out.shape();
        if (op != ReduceOp.MAX && keepsATrailingBlock(shape, kept) && outN <= Integer.MAX_VALUE) {
            // leading axes reduced, the trailing ones kept (a bias gradient, a broadcast position
            // table's): x is [rows, outN], its columns split over threads; the same sums, in the
            // same order, as the general loop below
            int columns = (int) outN;
            long rows = n / columns;
            double scale = op == ReduceOp.MEAN ? (double) outN / n : 1.0;
            // parts of at least 16 columns (a cache line), one per thread: each reads every row
            int parts = n < PARALLEL_MIN ? 1 : Math.max(1, Math.min(threads.count(), columns / 16));
            threads.parallelFor(parts, p -> Elementwise.columnSums(xs, rows, columns, (int) ((long) columns * p / parts),
                    (int) ((long) columns * (p + 1) / parts), scale, os));
            return;
        }
        if (op != ReduceOp.MAX && outN == n / inner && outStrides[rank - 1] == 0) {
            // the last axis alone reduced (a layer norm's mean): rows split over threads, each
            // summed in order in double as below
            double scale = op == ReduceOp.MEAN ? (double) outN / n : 1.0;
            forChunks(outN, inner, (from, to) -> {
                for (long r = from; r < to; r++) {
                    double s = 0;
                    long base = r * inner;
                    for (int j = 0; j < inner; j++) {
                        s += xs.getAtIndex(JAVA_FLOAT, base + j);
                    }
                    os.setAtIndex(JAVA_FLOAT, r, (float) (s * scale));
                }
            });
            return;
        }
        double[] acc = new double[(int) outN];
        if (op == ReduceOp.MAX) {
            java.util.Arrays.fill(acc, Double.NEGATIVE_INFINITY);
        }
        long lastStride = outStrides[rank - 1];
        int[] idx = new int[rank];
        for (long row = 0, base = 0; row < n / inner; row++, base += inner) {
            long o = 0;
            for (int d = 0; d < rank - 1; d++) {
                o += idx[d] * outStrides[d];
            }
            if (op == ReduceOp.MAX) {
                for (int j = 0; j < inner; j++) {
                    int oi = (int) (o + j * lastStride);
                    // Math.max: a NaN wins and +0 is above -0 whatever the order, as on CUDA
                    acc[oi] = Math.max(acc[oi], xs.getAtIndex(JAVA_FLOAT, base + j));
                }
            } else if (lastStride == 0) {
                double s = acc[(int) o];
                for (int j = 0; j < inner; j++) {
                    s += xs.getAtIndex(JAVA_FLOAT, base + j);
                }
                acc[(int) o] = s;
            } else {
                for (int j = 0; j < inner; j++) {
                    acc[(int) (o + j)] += xs.getAtIndex(JAVA_FLOAT, base + j);
                }
            }
            for (int d = rank - 2; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        double scale = op == ReduceOp.MEAN ? (double) outN / n : 1.0;
        for (int i = 0; i < outN; i++) {
            os.setAtIndex(JAVA_FLOAT, i, (float) (acc[i] * scale));
        }
    }

    @Override
    public void softmax(Tensor x, boolean log, Tensor out) {
        MemorySegment xs = seg(x);
        MemorySegment os = seg(out);
        int c = x.size(-1);
        long rows = c == 0 ? 0 : x.numel() / c;
        forChunks(rows, c, (from, to) -> RowSoftmax.forward(xs, os, c, from, to, log));
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gy, boolean log, Tensor gx) {
        softmaxBackward(y, gy, log, 1f, gx);
    }

    /** The softmax (or log-softmax) backward of each row, times scale (1: none). */
    private void softmaxBackward(Tensor y, Tensor gy, boolean log, float scale, Tensor gx) {
        MemorySegment ys = seg(y);
        MemorySegment gs = seg(gy);
        MemorySegment os = seg(gx);
        int c = y.size(-1);
        long rows = c == 0 ? 0 : y.numel() / c;
        forChunks(rows, c, (from, to) -> RowSoftmax.backward(ys, gs, os, c, from, to, log, scale));
    }

    // ------------------------------------------------------------------ data movement

    @Override
    public void permute(Tensor x, int[] perm, Tensor out) {
        MemorySegment xs = seg(x);
        MemorySegment os = seg(out);
        int[] outShape = out.shape();
        int rank = outShape.length;
        long[] inStrides = Shapes.strides(x.shape());
        long[] src = new long[rank];
        for (int i = 0; i < rank; i++) {
            src[i] = inStrides[perm[i]];
        }
        long n = out.numel();
        if (n == 0) {
            return;
        }
        int inner = outShape[rank - 1];
        long innerStride = src[rank - 1];
        // rows of at most 64 floats by vectors: 5% faster than MemorySegment.copy per row on a
        // [64, 64, 4, 16] permute (85 → 80 us, Zen 3, alternating in one JVM; memory-bound either way)
        boolean shortRows = Sgemm.vectorized() && inner <= 64;
        // rows of the output split over threads; each part starts from its first row's index
        forChunks(n / inner, inner, (from, to) -> {
            int[] idx = new int[rank];
            long rest = from;
            for (int d = rank - 2; d >= 0; d--) {
                idx[d] = (int) (rest % outShape[d]);
                rest /= outShape[d];
            }
            for (long row = from, base = from * inner; row < to; row++, base += inner) {
                long off = 0;
                for (int d = 0; d < rank - 1; d++) {
                    off += idx[d] * src[d];
                }
                if (innerStride == 1 && shortRows) {
                    VectorRowMath.copyShort(xs, off * Float.BYTES, os, base * Float.BYTES, inner);
                } else if (innerStride == 1) {
                    MemorySegment.copy(xs, off * Float.BYTES, os, base * Float.BYTES, (long) inner * Float.BYTES);
                } else {
                    for (int j = 0; j < inner; j++) {
                        os.setAtIndex(JAVA_FLOAT, base + j, xs.getAtIndex(JAVA_FLOAT, off + j * innerStride));
                    }
                }
                for (int d = rank - 2; d >= 0; d--) {
                    if (++idx[d] < outShape[d]) {
                        break;
                    }
                    idx[d] = 0;
                }
            }
        });
    }

    @Override
    public void copySlice(Tensor src, int axis, int srcStart, Tensor dst, int dstStart, int length) {
        int[] ss = src.shape();
        int[] ds = dst.shape();
        long outer = Shapes.product(ss, 0, axis);
        long inner = Shapes.product(ss, axis + 1, ss.length);
        MemorySegment s = seg(src);
        MemorySegment d = seg(dst);
        int size = src.dtype().byteSize();
        long bytes = length * inner * size;
        for (long o = 0; o < outer; o++) {
            long from = (o * ss[axis] + srcStart) * inner * size;
            long to = (o * ds[axis] + dstStart) * inner * size;
            MemorySegment.copy(s, from, d, to, bytes);
        }
    }

    @Override
    public void gatherRows(Tensor src, Tensor index, Tensor out) {
        MemorySegment s = seg(src);
        MemorySegment ix = seg(index);
        MemorySegment o = seg(out);
        int rows = src.size(0);
        long row = rows == 0 ? 0 : src.numel() / rows;
        long bytes = row * src.dtype().byteSize();
        boolean wide = index.dtype() == DType.INT64;
        long n = index.numel();
        for (long i = 0; i < n; i++) {
            long r = checkedIndex("indexSelect", ix, wide, i, rows);
            MemorySegment.copy(s, r * bytes, o, i * bytes, bytes);
        }
    }

    @Override
    public void scatterAddRows(Tensor g, Tensor index, Tensor out) {
        MemorySegment gs = seg(g);
        MemorySegment ix = seg(index);
        MemorySegment o = seg(out);
        int rows = out.size(0);
        long row = rows == 0 ? 0 : out.numel() / rows;
        boolean wide = index.dtype() == DType.INT64;
        long n = index.numel();
        for (long i = 0; i < n; i++) {
            long r = checkedIndex("indexSelect (gradient)", ix, wide, i, rows);
            for (long j = 0; j < row; j++) {
                long oi = r * row + j;
                o.setAtIndex(JAVA_FLOAT, oi, o.getAtIndex(JAVA_FLOAT, oi) + gs.getAtIndex(JAVA_FLOAT, i * row + j));
            }
        }
    }

    @Override
    public void pick(Tensor x, Tensor labels, Tensor out) {
        MemorySegment xs = seg(x);
        MemorySegment ls = seg(labels);
        MemorySegment os = seg(out);
        int c = x.size(1);
        boolean wide = labels.dtype() == DType.INT64;
        long n = labels.numel();
        for (long i = 0; i < n; i++) {
            long l = checkedIndex("pick (labels)", ls, wide, i, c);
            os.setAtIndex(JAVA_FLOAT, i, xs.getAtIndex(JAVA_FLOAT, i * c + l));
        }
    }

    @Override
    public void pickBackward(Tensor g, Tensor labels, Tensor gx) {
        MemorySegment gs = seg(g);
        MemorySegment ls = seg(labels);
        MemorySegment os = seg(gx);
        int c = gx.size(1);
        boolean wide = labels.dtype() == DType.INT64;
        long n = labels.numel();
        for (long i = 0; i < n; i++) {
            long oi = i * c + checkedIndex("pick (labels)", ls, wide, i, c);
            os.setAtIndex(JAVA_FLOAT, oi, os.getAtIndex(JAVA_FLOAT, oi) + gs.getAtIndex(JAVA_FLOAT, i));
        }
    }

    @Override
    public boolean fusesScaledSoftmax() {
        return true;
    }

    @Override
    public void scaledSoftmax(Tensor x, float scale, Tensor bias, Tensor out) {
        int c = x.size(-1);
        if (c == 0) {
            return;
        }
        MemorySegment xs = seg(x);
        MemorySegment os = seg(out);
        MemorySegment bs = bias == null ? null : seg(bias);
        int[] shape = x.shape();
        long[] strides = bias == null ? null : Shapes.broadcastStrides(bias.shape(), shape);
        RowSoftmax.BiasRows rows = r -> {
            // row r's index over x's leading axes, through the bias's (broadcast) strides
            long offset = 0;
            long rest = r;
            for (int d = shape.length - 2; d >= 0; d--) {
                offset += rest % shape[d] * strides[d];
                rest /= shape[d];
            }
            return offset;
        };
        forChunks(x.numel() / c, c, (from, to) -> RowSoftmax.scaledForward(xs, scale, bs, rows, os, c, from, to));
    }

    @Override
    public void scaledSoftmaxBackward(Tensor y, Tensor gy, float scale, Tensor gx) {
        softmaxBackward(y, gy, false, scale, gx);
    }

    @Override
    public boolean fusesLayerNorm() {
        return true;
    }

    @Override
    public void layerNorm(Tensor x, Tensor gamma, Tensor beta, float epsilon, Tensor y, Tensor mean, Tensor rstd) {
        int c = x.size(-1);
        if (c == 0) {
            return;
        }
        MemorySegment xs = seg(x);
        MemorySegment gs = gamma == null ? null : seg(gamma);
        MemorySegment bs = beta == null ? null : seg(beta);
        MemorySegment ys = seg(y);
        MemorySegment ms = seg(mean);
        MemorySegment rs = seg(rstd);
        forChunks(x.numel() / c, c, (from, to) -> RowNorm.forward(xs, gs, bs, epsilon, ys, ms, rs, c, from, to));
    }

    @Override
    public void layerNormBackward(Tensor g, Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor gx,
                                  Tensor gGamma, Tensor gBeta) {
        int c = x.size(-1);
        if (c == 0) {
            return;
        }
        long rows = x.numel() / c;
        MemorySegment gs = seg(g);
        MemorySegment xs = seg(x);
        MemorySegment gammas = gamma == null ? null : seg(gamma);
        MemorySegment ms = seg(mean);
        MemorySegment rs = seg(rstd);
        MemorySegment gxs = seg(gx);
        forChunks(rows, c, (from, to) -> RowNorm.backward(gs, xs, gammas, ms, rs, gxs, c, from, to));
        if (gGamma != null || gBeta != null) {
            MemorySegment ggs = gGamma == null ? null : seg(gGamma);
            MemorySegment gbs = gBeta == null ? null : seg(gBeta);
            // columns split over threads, each summing every row in order: the same sums for any count
            int parts = rows * c < PARALLEL_MIN ? 1 : Math.max(1, Math.min(threads.count(), c / 16));
            threads.parallelFor(parts, p -> RowNorm.parameterGradients(gs, xs, ms, rs, c, rows,
                    (int) ((long) c * p / parts), (int) ((long) c * (p + 1) / parts), ggs, gbs));
        }
    }

    @Override
    public boolean fusesLogSoftmaxPick() {
        return true;
    }

    @Override
    public void logSoftmaxPickBackward(Tensor y, Tensor g, Tensor labels, Tensor gx) {
        MemorySegment ys = seg(y);
        MemorySegment gs = seg(g);
        MemorySegment ls = seg(labels);
        MemorySegment os = seg(gx);
        int c = y.size(1);
        boolean wide = labels.dtype() == DType.INT64;
        forChunks(labels.numel(), c, (from, to) -> RowSoftmax.logPickBackward(ys, gs, os, c, from, to,
                r -> (int) checkedIndex("pick (labels)", ls, wide, r, c)));
    }

    @Override
    public void argmax(Tensor x, Tensor out) {
        MemorySegment xs = seg(x);
        MemorySegment os = seg(out);
        int c = x.size(-1);
        long rows = out.numel();
        forChunks(rows, c, (from, to) -> {
            for (long r = from; r < to; r++) {
                long base = r * c;
                int best = 0;
                float bestValue = xs.getAtIndex(JAVA_FLOAT, base);
                for (int j = 1; j < c && !Float.isNaN(bestValue); j++) {
                    float v = xs.getAtIndex(JAVA_FLOAT, base + j);
                    if (v > bestValue || Float.isNaN(v)) {
                        best = j;
                        bestValue = v;
                    }
                }
                os.setAtIndex(JAVA_INT, r, best);
            }
        });
    }

    /** Index i of an int32 ({@code wide} false) or int64 index tensor, checked against [0, bound). */
    private static long checkedIndex(String op, MemorySegment index, boolean wide, long i, long bound) {
        long v = wide ? index.getAtIndex(JAVA_LONG, i) : index.getAtIndex(JAVA_INT, i);
        if (v < 0 || v >= bound) {
            throw new IndexOutOfRangeException(op, i, v, bound);
        }
        return v;
    }

    @Override
    public void conv2d(Tensor x, Tensor kernel, Window2d window, Tensor out) {
        CpuConvolution.forward(seg(x), seg(kernel), kernel.size(3), window, seg(out), threads);
    }

    @Override
    public boolean fusesConv2dEpilogue() {
        return true;
    }

    @Override
    public void conv2d(Tensor x, Tensor kernel, Tensor bias, boolean relu, Window2d window, Tensor out) {
        CpuConvolution.forward(seg(x), seg(kernel), bias == null ? null : seg(bias), relu, kernel.size(3), window,
                seg(out), threads);
    }

    @Override
    public void conv2dBackwardData(Tensor gy, Tensor kernel, Window2d window, Tensor gx) {
        CpuConvolution.backwardData(seg(gy), seg(kernel), kernel.size(3), window, seg(gx), threads);
    }

    @Override
    public void conv2dBackwardFilter(Tensor x, Tensor gy, Window2d window, Tensor gk) {
        CpuConvolution.backwardFilter(seg(x), seg(gy), gk.size(3), window, seg(gk), threads);
    }

    @Override
    public void maxPool2d(Tensor x, Window2d window, Tensor out) {
        CpuConvolution.maxPool(seg(x), window, seg(out), threads);
    }

    @Override
    public void maxPool2dBackward(Tensor x, Tensor gy, Window2d window, Tensor gx) {
        CpuConvolution.maxPoolBackward(seg(x), seg(gy), window, seg(gx), threads);
    }

    @Override
    public void lstmForward(Tensor x, Tensor mask, Tensor kernel, Tensor recurrent, Tensor bias, Tensor hc, Tensor gates,
                            boolean forBackward) {
        CpuLstm.forward(seg(x), mask == null ? null : seg(mask), seg(kernel), seg(recurrent), seg(bias),
                x.size(0), x.size(1), x.size(2), recurrent.size(0), seg(hc), seg(gates), threads);
    }

    @Override
    public void lstmBackward(Tensor x, Tensor mask, Tensor kernel, Tensor recurrent, Tensor hc, Tensor gates, Tensor gHc,
                             Tensor gx, Tensor gKernel, Tensor gRecurrent, Tensor gBias) {
        CpuLstm.backward(seg(x), mask == null ? null : seg(mask), seg(kernel), seg(recurrent), seg(hc), seg(gates),
                seg(gHc), x.size(0), x.size(1), x.size(2), recurrent.size(0), seg(gx), seg(gKernel), seg(gRecurrent),
                seg(gBias), threads);
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2,
                           float epsilon, long step) {
        adamWithAlpha(param, grad, m, v, Backend.adamAlpha(lr, beta1, beta2, step), beta1, beta2, epsilon);
    }

    @Override
    public void adamUpdateAll(java.util.List<Tensor[]> groups, DeviceCell alpha, float beta1, float beta2,
                              float epsilon) {
        float a = seg(alpha.cells()).get(JAVA_FLOAT, alpha.byteOffset());
        for (Tensor[] g : groups) {
            adamWithAlpha(g[0], g[1], g[2], g[3], a, beta1, beta2, epsilon);
        }
    }

    private void adamWithAlpha(Tensor param, Tensor grad, Tensor m, Tensor v, float alpha, float beta1, float beta2,
                               float epsilon) {
        MemorySegment ps = seg(param);
        MemorySegment gs = seg(grad);
        MemorySegment ms = seg(m);
        MemorySegment vs = seg(v);
        forChunks(param.numel(), (from, to) -> Elementwise.adam(ps, gs, ms, vs, from, to, alpha, beta1, beta2, epsilon));
    }

    @Override
    public void synchronize() {
        // CPU work completes before each primitive returns; counted as the same call on a GPU would be.
        counters().synchronization();
    }

    // ------------------------------------------------------------------ splitting work

    @FunctionalInterface
    private interface Chunk {
        void run(long from, long to);
    }

    /**
     * Whether {@code out} (x's shape with reduced axes 1, aligned to x from the right) reduces only a
     * leading run of x's axes.
     */
    private static boolean keepsATrailingBlock(int[] shape, int[] out) {
        // out is aligned to x from the right (a bias gradient [c] of [n, h, w, c]): missing axes are 1s
        if (out.length > shape.length) {
            return false;
        }
        int[] kept = new int[shape.length];
        java.util.Arrays.fill(kept, 1);
        System.arraycopy(out, 0, kept, shape.length - out.length, out.length);
        int d = 0;
        while (d < shape.length && kept[d] == 1) {
            d++;
        }
        if (d == 0) {
            return false;
        }
        for (int e = d; e < shape.length; e++) {
            if (kept[e] != shape[e]) {
                return false;
            }
        }
        return true;
    }

    private void forChunks(long n, Chunk body) {
        forChunks(n, 1, body);
    }

    /** Splits [0, n) items of {@code cost} floats each into per-thread chunks when the work is large. */
    private void forChunks(long n, long cost, Chunk body) {
        CpuThreads t = threads;
        if (n * Math.max(cost, 1) < PARALLEL_MIN || t.count() == 1 || n < 2) {
            body.run(0, n);
            return;
        }
        int tasks = (int) Math.min(n, t.count() * 4L);
        t.parallelFor(tasks, i -> body.run(n * i / tasks, n * (i + 1) / tasks));
    }
}
