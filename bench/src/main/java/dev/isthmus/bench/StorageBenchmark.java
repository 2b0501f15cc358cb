package dev.isthmus.bench;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
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
 * The CPU storage decision: the same elementwise add (c = a + b) over on-heap {@code float[]}
 * and over off-heap {@code MemorySegment}s, scalar and Vector API, plus the cost of making and
 * freeing a step's worth of buffers each way. GEMM does not enter into it: its kernel reads
 * packed float[] panels whatever the storage.
 * Run: {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar StorageBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class StorageBenchmark {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Param({"4096", "1048576"})
    int n;

    float[] ha;
    float[] hb;
    float[] hc;
    Arena arena;
    MemorySegment sa;
    MemorySegment sb;
    MemorySegment sc;

    @Setup(Level.Trial)
    public void setup() {
        ha = new float[n];
        hb = new float[n];
        hc = new float[n];
        arena = Arena.ofShared();
        sa = arena.allocate((long) n * 4, 64);
        sb = arena.allocate((long) n * 4, 64);
        sc = arena.allocate((long) n * 4, 64);
        for (int i = 0; i < n; i++) {
            ha[i] = i;
            hb[i] = 2 * i;
            sa.setAtIndex(JAVA_FLOAT, i, i);
            sb.setAtIndex(JAVA_FLOAT, i, 2 * i);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[] addArrayScalar() {
        for (int i = 0; i < n; i++) {
            hc[i] = ha[i] + hb[i];
        }
        return hc;
    }

    @Benchmark
    public MemorySegment addSegmentScalar() {
        for (long i = 0; i < n; i++) {
            sc.setAtIndex(JAVA_FLOAT, i, sa.getAtIndex(JAVA_FLOAT, i) + sb.getAtIndex(JAVA_FLOAT, i));
        }
        return sc;
    }

    @Benchmark
    public float[] addArrayVector() {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, ha, i).add(FloatVector.fromArray(S, hb, i)).intoArray(hc, i);
        }
        for (; i < n; i++) {
            hc[i] = ha[i] + hb[i];
        }
        return hc;
    }

    @Benchmark
    public MemorySegment addSegmentVector() {
        long i = 0;
        for (long bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromMemorySegment(S, sa, i * 4, ByteOrder.nativeOrder())
                    .add(FloatVector.fromMemorySegment(S, sb, i * 4, ByteOrder.nativeOrder()))
                    .intoMemorySegment(sc, i * 4, ByteOrder.nativeOrder());
        }
        for (; i < n; i++) {
            sc.setAtIndex(JAVA_FLOAT, i, sa.getAtIndex(JAVA_FLOAT, i) + sb.getAtIndex(JAVA_FLOAT, i));
        }
        return sc;
    }

    /** A training step's allocations: 50 buffers of n floats, zeroed, then released. */
    @Benchmark
    public long stepAllocationsArray() {
        long sum = 0;
        for (int k = 0; k < 50; k++) {
            float[] f = new float[n];
            sum += f.length;
        }
        return sum;
    }

    @Benchmark
    public long stepAllocationsScopeArena() {
        long sum = 0;
        try (Arena step = Arena.ofShared()) {
            for (int k = 0; k < 50; k++) {
                sum += step.allocate((long) n * 4, 64).byteSize();
            }
        }
        return sum;
    }
}
