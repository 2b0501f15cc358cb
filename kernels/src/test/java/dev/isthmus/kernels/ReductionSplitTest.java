package dev.isthmus.kernels;

import dev.isthmus.cuda.DeviceMemory;
import dev.isthmus.cuda.KernelArguments;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without a GPU: how reductions are cut over blocks (a pure function of the sizes) and which
 * kernels the launcher runs for them, with how much work each and how much scratch.
 */
class ReductionSplitTest {
    private record FakeMemory(long pointer, long byteSize) implements DeviceMemory {
    }

    private record Launch(String entry, long work, long rowLength) {
    }

    /** Records launches instead of running them; the scratch records the largest request. */
    private static final class RecordingLauncher implements KernelLauncher {
        final List<Launch> launches = new ArrayList<>();

        @Override
        public void linear(KernelFamily family, String entry, long n, KernelArguments args) {
            launches.add(new Launch(entry, n, 0));
        }

        @Override
        public void rows(KernelFamily family, String entry, long rows, long rowLength, KernelArguments args) {
            launches.add(new Launch(entry, rows, rowLength));
        }

        @Override
        public void grouped(KernelFamily family, String entry, int groups, long longest, KernelArguments args) {
            throw new AssertionError("reductions launch no grouped kernels");
        }
    }

    private static final DeviceMemory M = new FakeMemory(0x1000, 1 << 20);

    private final RecordingLauncher launcher = new RecordingLauncher();
    private final long[] scratchAsked = new long[1];
    private final ReductionKernels reductions = new ReductionKernels(launcher, bytes -> {
        scratchAsked[0] = Math.max(scratchAsked[0], bytes);
        return new FakeMemory(0x2000, bytes);
    });

    private static void assertEveryElementInExactlyOneChunk(ReductionSplit split, long length) {
        assertTrue(split.chunks() * split.chunkLength() >= length, split + " misses the end of " + length);
        assertTrue((split.chunks() - 1) * split.chunkLength() < length, split + " has an empty chunk for " + length);
    }

    @Test
    void convBiasColumnSumsSplitTheirRowsOverAboutSqrtRowsChunks() {
        ReductionSplit split = ReductionSplit.columns(43_264, 32);
        assertEquals(new ReductionSplit(208, 208), split);
        reductions.columnSum(M, 43_264, 32, M);
        assertEquals(List.of(new Launch("column_partial_f32", 208 * 32, 0), new Launch("column_finish_f32", 32, 0)),
                launcher.launches);
        assertEquals(8L * 208 * 32, scratchAsked[0]);
    }

    @Test
    void leadingAxisMeansOverManyRowsTakeTheTwoColumnPasses() {
        reductions.reduce(ReductionKernels.Reduce.MEAN, M, new int[] {100_000, 7}, new int[] {0}, M);
        ReductionSplit split = ReductionSplit.columns(100_000, 7);
        assertTrue(split.twoPass());
        assertEquals(List.of(new Launch("column_partial_f32", split.chunks() * 7, 0),
                new Launch("column_finish_f32", 7, 0)), launcher.launches);
    }

    @Test
    void columnSumsOverFewRowsOrVeryManyColumnsStayInOnePass() {
        assertFalse(ReductionSplit.columns(256, 32).twoPass());
        assertFalse(ReductionSplit.columns(1_000_000, 1 << 16).twoPass());
        reductions.columnSum(M, 100, 64, M);
        assertEquals(List.of(new Launch("column_sum_f32", 64, 0)), launcher.launches);
        assertEquals(0, scratchAsked[0]);
    }

    @Test
    void aMillionElementSumRunsOverManyBlocksThenOneFinish() {
        reductions.reduce(ReductionKernels.Reduce.SUM, M, new int[] {1000, 1000}, new int[] {0, 1}, M);
        ReductionSplit split = ReductionSplit.general(1, 1_000_000);
        assertTrue(split.chunks() >= 200, split.toString());
        assertTrue(split.chunkLength() >= ReductionSplit.MIN_CHUNK_LENGTH, split.toString());
        assertEquals(List.of(new Launch("reduce_partial_f32", split.chunks(), split.chunkLength()),
                new Launch("reduce_finish_f32", 1, split.chunks())), launcher.launches);
        assertEquals(8L * split.chunks(), scratchAsked[0]);
    }

    @Test
    void maxOverAFewLongRowsIsSplitToo() {
        reductions.reduce(ReductionKernels.Reduce.MAX, M, new int[] {3, 500_000}, new int[] {1}, M);
        ReductionSplit split = ReductionSplit.general(3, 500_000);
        assertTrue(split.twoPass());
        assertEquals(List.of(new Launch("reduce_partial_f32", 3 * split.chunks(), split.chunkLength()),
                new Launch("reduce_finish_f32", 3, split.chunks())), launcher.launches);
        assertEquals(8L * 3 * split.chunks(), scratchAsked[0]);
    }

    @Test
    void shortOrManyOutputReductionsStayInOnePass() {
        assertFalse(ReductionSplit.general(1, ReductionSplit.SINGLE_PASS_LENGTH).twoPass());
        assertFalse(ReductionSplit.general(ReductionSplit.TARGET_BLOCKS, 1 << 20).twoPass());
        reductions.reduce(ReductionKernels.Reduce.SUM, M, new int[] {4, 1000}, new int[] {1}, M);
        assertEquals(List.of(new Launch("reduce_f32", 4, 1000)), launcher.launches);
    }

    @Test
    void everySplitCoversEachElementOnce() {
        long[] sizes = {1, 2, 255, 256, 257, 1000, 4097, 16_384, 16_385, 43_264, 100_000, 1_000_000, 1L << 31, 3L << 33};
        for (long rows : sizes) {
            for (long cols : new long[] {1, 3, 32, 1000}) {
                assertEveryElementInExactlyOneChunk(ReductionSplit.columns(rows, cols), rows);
                assertEveryElementInExactlyOneChunk(ReductionSplit.general(cols, rows), rows);
            }
        }
    }
}
