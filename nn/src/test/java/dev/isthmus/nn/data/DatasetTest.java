package dev.isthmus.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Dataset stages: shuffle's buffer semantics and determinism, batch, map, prefetch's thread and errors. */
class DatasetTest {
    private static Tensor ids(int n) {
        return Tensor.of(IntStream.range(0, n).toArray(), n);
    }

    /** The ids of pass {@code epoch}, element by element (each element a scalar id, or a batch of them). */
    private static int[] order(Dataset d, int epoch) {
        List<Integer> out = new ArrayList<>();
        try (Scope s = Scope.open(); Dataset.Pass pass = d.pass(epoch)) {
            pass.forEachRemaining(e -> Arrays.stream(e[0].toIntArray()).forEach(out::add));
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The same ids as a generic stream (one element per id), not the tensor-rows fast path. */
    private static Dataset streamed(int n) {
        return Dataset.fromIterators(() -> IntStream.range(0, n).mapToObj(i -> new Tensor[] {Tensor.of(new int[] {i})}).iterator());
    }

    @Test
    void withoutShuffleThePassIsTheSourceOrderExactly() {
        assertArrayEquals(IntStream.range(0, 10).toArray(), order(Dataset.fromTensors(ids(10)).batch(3), 0));
        assertArrayEquals(IntStream.range(0, 10).toArray(), order(streamed(10).batch(3), 4));
    }

    @Test
    void shuffleIsFixedBySeedAndEpochAndDiffersAcrossEpochs() {
        Dataset d = Dataset.fromTensors(ids(50)).shuffle(50, 7);
        int[] first = order(d, 0);
        assertArrayEquals(first, order(d, 0), "a pass is the same every time");
        assertArrayEquals(first, order(Dataset.fromTensors(ids(50)).shuffle(50, 7), 0), "and for a new dataset of the same seed");
        assertFalse(Arrays.equals(first, order(d, 1)), "each epoch reshuffles");
        assertFalse(Arrays.equals(first, order(Dataset.fromTensors(ids(50)).shuffle(50, 8), 0)), "another seed, another order");
        assertArrayEquals(IntStream.range(0, 50).toArray(), Arrays.stream(first).sorted().toArray(), "a permutation");
        assertFalse(Arrays.equals(IntStream.range(0, 50).toArray(), first));
        // the tensor-rows path shuffles indices with the same buffer as the generic path shuffles elements
        assertArrayEquals(first, order(streamed(50).shuffle(50, 7), 0));
        assertArrayEquals(order(Dataset.fromTensors(ids(50)).shuffle(8, 3).batch(5), 2), order(streamed(50).shuffle(8, 3).batch(5), 2));
    }

    @Test
    void aShuffleBufferOnlyMovesElementsAsFarAsItHolds() {
        int n = 200;
        int buffer = 10;
        assertArrayEquals(IntStream.range(0, n).toArray(), order(streamed(n).shuffle(1, 5), 0), "a buffer of 1 keeps the order");
        for (int epoch = 0; epoch < 5; epoch++) {
            int[] out = order(streamed(n).shuffle(buffer, 5), epoch);
            assertArrayEquals(IntStream.range(0, n).toArray(), Arrays.stream(out).sorted().toArray());
            for (int pos = 0; pos < n; pos++) {
                // element i enters the buffer after i - buffer + 1 outputs, so it cannot come out before that
                assertTrue(pos >= out[pos] - buffer + 1, "element " + out[pos] + " came out at " + pos);
            }
            assertTrue(out[0] < buffer, "the first output is drawn from the first " + buffer + " elements");
        }
        int[] out = order(streamed(n).shuffle(buffer, 5), 0);
        int displaced = (int) IntStream.range(0, n).filter(p -> out[p] != p).count();
        assertTrue(displaced > n / 2, "the buffer does shuffle: " + displaced + " of " + n + " moved");
    }

    @Test
    void batchStacksElementsAndDropsTheRemainderWhenAsked() {
        Tensor x = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, 7, 2);
        Dataset rows = Dataset.fromTensors(x, ids(7));
        assertEquals(3, rows.batch(3).cardinality());
        assertEquals(2, rows.batch(3, true).cardinality());
        try (Scope s = Scope.open()) {
            List<Tensor[]> kept = new ArrayList<>();
            rows.batch(3).pass(0).forEachRemaining(kept::add);
            assertEquals(3, kept.size());
            assertArrayEquals(new int[] {3, 2}, kept.get(0)[0].shape());
            assertArrayEquals(new int[] {1, 2}, kept.get(2)[0].shape());
            assertArrayEquals(new float[] {12, 13}, kept.get(2)[0].toArray());
            List<Tensor[]> dropped = new ArrayList<>();
            rows.batch(3, true).pass(0).forEachRemaining(dropped::add);
            assertEquals(2, dropped.size());
            // the generic path stacks element by element: the same batches
            Tensor[] generic = rows.map(e -> new Tensor[] {e[0].mul(2f), e[1]}).batch(3).pass(0).next();
            assertArrayEquals(new float[] {0, 2, 4, 6, 8, 10}, generic[0].toArray());
            assertArrayEquals(new int[] {0, 1, 2}, generic[1].toIntArray());
        }
    }

    @Test
    void aLoaderThatFailsOnThePrefetchThreadFailsTheConsumerNamingTheCause() {
        IllegalStateException boom = new IllegalStateException("disk on fire");
        Dataset d = Dataset.fromSupplier(new java.util.function.Supplier<>() {
            int n;

            @Override
            public Tensor[] get() {
                if (++n == 3) {
                    throw boom;
                }
                return new Tensor[] {Tensor.of(new float[] {n})};
            }
        }).prefetch(2);
        try (Scope s = Scope.open(); Dataset.Pass pass = d.pass(0)) {
            pass.next();
            pass.next();
            DatasetException e = assertThrows(DatasetException.class, pass::next);
            assertSame(boom, e.getCause());
            assertTrue(e.getMessage().contains("disk on fire"), e.getMessage());
        }
    }

    @Test
    void closingAPassLeftEarlyStopsItsPrefetchThread() throws Exception {
        AtomicInteger made = new AtomicInteger();
        Dataset endless = Dataset.fromSupplier(() -> new Tensor[] {Tensor.of(new float[] {made.incrementAndGet()})}).prefetch(4);
        try (Scope s = Scope.open(); Dataset.Pass pass = endless.pass(0)) {
            assertEquals(1f, pass.next()[0].item());
            assertTrue(prefetchThreads() >= 1);
        }
        assertEquals(0, prefetchThreads(), "the pass's close joins its thread");
        int after = made.get();
        Thread.sleep(50);
        assertEquals(after, made.get(), "nothing is made after the close");
        assertTrue(after <= 1 + 4 + 2, "the queue bounds how far the loader runs ahead: " + after);
    }

    private static long prefetchThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("isthmus-prefetch") && t.isAlive()).count();
    }

    /**
     * A timing test, kept robust: it checks overlap, not speed. A loader that sleeps 20 ms per
     * batch and a consumer that sleeps 20 ms per batch take about 2 × 20 ms per batch in sequence
     * and about 20 ms with prefetch; we only ask for under 0.8 of the sequential time, which a
     * loaded machine still meets, since sleeping costs no CPU.
     */
    @Test
    void prefetchOverlapsLoadingWithTheConsumersWork() {
        int batches = 15;
        Dataset slow = Dataset.fromIterators(() -> IntStream.range(0, batches).mapToObj(i -> {
            sleep(20);
            return new Tensor[] {Tensor.of(new float[] {i})};
        }).iterator());
        long sequential = consume(slow);
        long overlapped = consume(slow.prefetch(2));
        assertTrue(overlapped < 0.8 * sequential, "prefetched " + overlapped / 1e6 + " ms, sequential "
                + sequential / 1e6 + " ms");
    }

    private static long consume(Dataset d) {
        long start = System.nanoTime();
        try (Scope s = Scope.open(); Dataset.Pass pass = d.pass(0)) {
            int n = 0;
            while (pass.poll() != null) {
                sleep(20); // the training step
                n++;
            }
            assertEquals(15, n);
        }
        return System.nanoTime() - start;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void elementsWaitingInAShuffleBufferSurviveTheConsumersStepScopes() {
        Dataset d = streamed(40).map(e -> new Tensor[] {e[0].cast(dev.isthmus.nn.tensor.DType.FLOAT32).add(100f)})
                .shuffle(16, 1).prefetch(3);
        List<Float> seen = new ArrayList<>();
        try (Dataset.Pass pass = d.pass(0)) {
            while (true) {
                try (Scope step = Scope.open("step")) {
                    Tensor[] e = pass.poll();
                    if (e == null) {
                        break;
                    }
                    assertSame(step, e[0].storage().owner(), "a pulled element belongs to the consumer's scope");
                    seen.add(e[0].item());
                }
            }
        }
        assertEquals(40, seen.size());
        assertEquals(IntStream.range(100, 140).boxed().map(Integer::floatValue).toList(), seen.stream().sorted().toList());
    }

    @Test
    void aOneShotIteratorRefusesASecondPass() {
        Iterator<Tensor[]> it = List.<Tensor[]>of(new Tensor[] {Tensor.of(new float[] {1})}).iterator();
        Dataset once = Dataset.fromIterator(it);
        assertEquals(1, order(once.map(e -> new Tensor[] {e[0].cast(dev.isthmus.nn.tensor.DType.INT32)}), 0).length);
        assertThrows(DatasetException.class, () -> once.pass(1));
        assertNotEquals(-1, Dataset.fromTensors(ids(3)).cardinality());
    }
}
