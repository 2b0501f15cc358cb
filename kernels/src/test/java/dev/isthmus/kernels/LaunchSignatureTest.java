package dev.isthmus.kernels;

import dev.isthmus.cuda.DeviceMemory;
import dev.isthmus.cuda.KernelArguments;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without a GPU: every typed launcher passes exactly the parameters its PTX kernel declares
 * (names, count and byte sizes, structures by value included), and every kernel is launched by
 * some launcher. A mismatch here would be memory corruption on the device.
 */
class LaunchSignatureTest {
    private record FakeMemory(long pointer, long byteSize) implements DeviceMemory {
    }

    private static final DeviceMemory M = new FakeMemory(0x1000, 1 << 20);

    /** Checks each launch against the PTX and records which entries were launched. */
    private static final class CheckingLauncher implements KernelLauncher {
        final Map<KernelFamily, PtxSignatures> signatures = new EnumMap<>(KernelFamily.class);
        final List<String> launched = new ArrayList<>();

        CheckingLauncher() {
            for (KernelFamily f : KernelFamily.values()) {
                signatures.put(f, PtxSignatures.parse(f.ptx()));
            }
        }

        @Override
        public void linear(KernelFamily family, String entry, long n, KernelArguments args) {
            signatures.get(family).check(entry, args.sizes());
            launched.add(entry);
        }

        @Override
        public void rows(KernelFamily family, String entry, long rows, long rowLength, KernelArguments args) {
            linear(family, entry, rows, args);
        }

        @Override
        public void grouped(KernelFamily family, String entry, int groups, long longest, KernelArguments args) {
            linear(family, entry, longest, args);
        }
    }

    @Test
    void everyLauncherMatchesItsKernelsParameters() {
        CheckingLauncher l = new CheckingLauncher();
        ElementwiseKernels e = new ElementwiseKernels(l);
        e.unary(ElementwiseKernels.Unary.RELU, M, M, 10, 0, 0);
        e.unaryBackward(ElementwiseKernels.Unary.TANH, M, M, M, M, 10, 0, 0);
        e.binarySame(ElementwiseKernels.Binary.ADD, M, M, M, 10);
        e.binaryRows(ElementwiseKernels.Binary.MUL, M, M, M, 10, 5);
        e.binaryBroadcast(ElementwiseKernels.Binary.SUB, M, M, M, 6, new int[] {2, 3}, new long[] {3, 1}, new long[] {0, 1});
        e.fill(M, 10, 1f);
        e.random(M, 10, ElementwiseKernels.Distribution.NORMAL, 0, 1, 42);
        e.adam(M, M, M, M, 10, 1e-3f, 0.9f, 0.999f, 1e-7f);
        e.adamAll(M, 3, 100, 1e-3f, 0.9f, 0.999f, 1e-7f);
        e.randomAt(M, 10, ElementwiseKernels.Distribution.UNIFORM, 0, 1, M);
        e.adamAllAt(M, 3, 100, M, 0.9f, 0.999f, 1e-7f);
        ReductionKernels r = new ReductionKernels(l, bytes -> M);
        r.reduce(ReductionKernels.Reduce.MEAN, M, new int[] {2, 3, 4}, new int[] {0, 2}, M);
        r.reduce(ReductionKernels.Reduce.MEAN, M, new int[] {2, 3, 4}, new int[] {0, 1}, M);
        r.columnSum(M, 4, 5, M);
        r.columnSum(M, 43_264, 32, M);
        r.reduce(ReductionKernels.Reduce.SUM, M, new int[] {1000, 1000}, new int[] {0, 1}, M);
        r.softmax(M, M, 4, 10, true);
        r.softmaxBackward(M, M, M, 4, 10, false);
        IndexKernels i = new IndexKernels(l);
        i.permute(M, new int[] {2, 3, 4}, new int[] {2, 0, 1}, M);
        i.copySlice(M, M, 2, 5, 3, 1, 0, 3, 4);
        i.copyRowAt(M, M, 3, M, 50);
        for (boolean wide : new boolean[] {false, true}) {
            i.gatherRows(M, M, wide, M, 3, 8, 5, M);
            i.scatterAddRows(M, M, wide, M, 3, 8, 5, M);
            i.pick(M, M, wide, M, 4, 10, M);
            i.pickBackward(M, M, wide, M, 4, 10, M);
        }
        i.argmaxRows(M, M, 4, 10);
        for (IndexKernels.ElementType from : IndexKernels.ElementType.values()) {
            for (IndexKernels.ElementType to : IndexKernels.ElementType.values()) {
                if (from != to) {
                    i.cast(M, from, M, to, 10);
                }
            }
        }
        i.padNhwc(M, M, 2, 5, 5, 3, 1, 1, 8, 8);
        i.cropNhwc(M, M, 2, 5, 5, 3, 1, 1, 8, 8);
        PoolKernels p = new PoolKernels(l);
        PoolKernels.Window w = new PoolKernels.Window(2, 8, 8, 3, 2, 2, 2, 2, 0, 0, 4, 4);
        p.maxPool(M, M, w);
        p.maxPoolBackward(M, M, M, w);
        LstmKernels s = new LstmKernels(l);
        s.stepForward(M, M, M, null, 2, 5, 8, 0);
        s.stepForward(M, M, M, M, 2, 5, 8, 1);
        s.stepBackward(M, M, M, null, M, M, M, M, 2, 5, 8, 4);
        s.shiftHidden(M, M, 2, 5, 8);
        s.gateBlock(M, M, 3, 8, 2, true);
        s.clearCells(M, 2, 5, 8);
        s.rebuildCells(M, null, M, 2, 5, 8);
        s.rebuildCells(M, M, M, 2, 5, 8);

        List<String> all = new ArrayList<>();
        for (String[] entries : new String[][] {ElementwiseKernels.ENTRIES, ReductionKernels.REDUCE_ENTRIES,
                ReductionKernels.SOFTMAX_ENTRIES, IndexKernels.ENTRIES, PoolKernels.ENTRIES, LstmKernels.ENTRIES}) {
            all.addAll(List.of(entries));
        }
        for (String entry : all) {
            assertTrue(l.launched.contains(entry), entry + " is never launched by this test");
        }
        int inPtx = 0;
        for (KernelFamily f : KernelFamily.values()) {
            for (String entry : all) {
                if (l.signatures.get(f).has(entry)) {
                    inPtx++;
                }
            }
        }
        assertEquals(all.size(), inPtx, "every launcher entry is in exactly one PTX file");
    }

    @Test
    void ptxParametersAreReadWithStructuresByValue() {
        PtxSignatures e = PtxSignatures.parse(KernelFamily.ELEMENTWISE.ptx());
        // a, b, out, n, op, rank, shape, strideA, strideB
        assertArrayEquals(new long[] {8, 8, 8, 8, 4, 4, 64, 64, 64}, e.parameterSizes("binary_broadcast_f32"));
        PtxSignatures pool = PtxSignatures.parse(KernelFamily.POOL.ptx());
        assertArrayEquals(new long[] {8, 8, 48}, pool.parameterSizes("maxpool_f32"));
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> e.check("fill_f32", new long[] {8, 8, 8}));
        assertTrue(wrong.getMessage().contains("[8, 8, 4]"), wrong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> e.parameterSizes("no_such_kernel"));
    }

    @Test
    void opCodesFollowTheKernelsEnumOrder() {
        // The CUDA enums list the ops in this order; the kernels switch on these numbers.
        assertEquals(11, ElementwiseKernels.Unary.AFFINE.ordinal());
        assertEquals(7, ElementwiseKernels.Binary.GREATER.ordinal());
        assertEquals(2, ReductionKernels.Reduce.MAX.ordinal());
        String source = KernelSourceText.read("elementwise.cu");
        assertTrue(source.contains("enum Unary { NEG, EXP, LOG, SQRT, ABS, RELU, SIGMOID, TANH, POW, LEAKY_RELU, CLAMP, AFFINE };"));
        assertTrue(source.contains("enum Binary { ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, EQUAL, GREATER };"));
        assertTrue(source.contains("enum Distribution { UNIFORM, NORMAL, TRUNCATED_NORMAL, BERNOULLI };"));
        assertTrue(KernelSourceText.read("reduce.cu").contains("enum Reduce { SUM, MEAN, MAX };"));
    }

    @Test
    void launchGeometryCoversTheWorkWithinLimits() {
        assertEquals(1, Kernels.linearGrid(1, 256, 132));
        assertEquals(4, Kernels.linearGrid(1000, 256, 132));
        assertEquals(Kernels.WAVES * 132, Kernels.linearGrid(1L << 40, 256, 132));
        assertEquals(32, Kernels.rowBlock(3, 1024));
        assertEquals(96, Kernels.rowBlock(100, 1024));
        assertEquals(512, Kernels.rowBlock(100_000, 512));
    }
}
