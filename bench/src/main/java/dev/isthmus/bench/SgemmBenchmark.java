package dev.isthmus.bench;

import dev.isthmus.nn.backend.cpu.CpuThreads;
import dev.isthmus.nn.backend.cpu.Sgemm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Square SGEMM C = A·B (float32, row-major, off-heap) on the CPU backend's threads.
 *
 * <p>The score is products per second; GFLOP/s = score * 2 * size^3 / 1e9. This isolates the SGEMM
 * kernel for tuning; {@code ./isthmus bench gemm} measures GEMM through the backend beside numpy in
 * the same run. {@code -p threads=N} sets the thread count (0: the
 * backend's default, {@code isthmus.cpu.threads} or all processors); {@code -p impl=plain} measures
 * the plain-loop path.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SgemmBenchmark {
    @Param({"256", "512", "1024", "2048"})
    public int size;

    @Param({"0"})
    public int threads;

    @Param({"auto"})
    public String impl;

    private Arena arena;
    private CpuThreads cpu;
    private MemorySegment a;
    private MemorySegment b;
    private MemorySegment c;
    private boolean plain;

    @Setup(Level.Trial)
    public void setUp() {
        if (!impl.equals("auto") && !impl.equals("plain")) {
            throw new IllegalArgumentException("impl must be auto or plain, got " + impl);
        }
        plain = impl.equals("plain");
        cpu = threads > 0 ? new CpuThreads(threads) : CpuThreads.fromEnvironment();
        arena = Arena.ofShared();
        long floats = (long) size * size;
        a = random(floats, 1);
        b = random(floats, 2);
        c = arena.allocate(floats * Float.BYTES, 64);
        System.out.println();
        System.out.println("# Sgemm: " + (plain ? "plain loops (forced)" : Sgemm.describe()) + ", " + cpu.count()
                + " thread(s)");
    }

    private MemorySegment random(long floats, long seed) {
        MemorySegment s = arena.allocate(floats * Float.BYTES, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < floats; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (r.nextDouble() * 2 - 1));
        }
        return s;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cpu.close();
        arena.close();
    }

    @Benchmark
    public MemorySegment sgemm() {
        int n = size;
        if (plain) {
            Sgemm.sgemmPlain(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n, cpu);
        } else {
            Sgemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n, cpu);
        }
        return c;
    }
}
