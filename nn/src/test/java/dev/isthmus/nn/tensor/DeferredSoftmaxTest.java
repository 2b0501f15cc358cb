package dev.isthmus.nn.tensor;

import dev.isthmus.nn.losses.Losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A softmax on the tape is computed on the CPU only when its memory is reached: these tests pin
 * that it gives the eager bits whenever it runs, runs before anything changes its input or moves
 * either memory, and is skipped when a loss works from the logits. 37 rows of 1,000 columns, so the
 * rows split over the worker threads.
 */
class DeferredSoftmaxTest {
    private static final int ROWS = 37;
    private static final int COLS = 1000;

    private static Tensor parameter(long seed) {
        return Tensor.uniform(new int[] {ROWS, COLS}, -4, 4, seed).requiresGrad(true);
    }

    private static boolean deferred(Tensor t) {
        return ((CpuStorage) t.storage()).isDeferred();
    }

    /** The softmax of values, computed eagerly (a tensor off the tape is never deferred). */
    private static float[] eager(float[] values) {
        try (Scope s = Scope.open("eager")) {
            Tensor x = Tensor.of(values, ROWS, COLS);
            Tensor y = x.softmax(-1);
            assertFalse(deferred(y));
            return y.toArray();
        }
    }

    @Test
    void aSoftmaxReadLaterHasTheEagerBits() {
        Tensor p = parameter(1);
        try (Scope s = Scope.open("step")) {
            Tensor logits = p.mul(2f);
            Tensor probs = logits.softmax(-1);
            assertTrue(deferred(probs), "a softmax on the tape waits to be read");
            float[] expected = eager(logits.toArray());
            assertTrue(deferred(probs), "reading its input does not compute it");
            assertArrayEquals(expected, probs.toArray());
            assertFalse(deferred(probs));
        }
    }

    @Test
    void writingTheLogitsInPlaceFirstComputesTheSoftmaxOfTheOldValues() {
        Tensor p = parameter(2);
        try (Scope s = Scope.open("step")) {
            Tensor logits = p.mul(1f);
            float[] expected = eager(logits.toArray());
            Tensor probs = logits.softmax(-1);
            logits.mulInPlace(3f);
            assertFalse(deferred(probs), "an in-place write settles the readers of the memory first");
            assertArrayEquals(expected, probs.toArray());

            Tensor again = logits.softmax(-1);
            float[] now = eager(logits.toArray());
            logits.detach().fillInPlace(0f); // the same memory through another view
            assertArrayEquals(now, again.toArray());
            Tensor third = logits.softmax(-1);
            logits.copyFrom(Tensor.zeros(ROWS, COLS));
            float[] uniform = third.toArray();
            assertEquals(1f / COLS, uniform[0], 1e-9f);
            Tensor fourth = logits.softmax(-1);
            logits.addInPlace(Tensor.ones(COLS));
            assertArrayEquals(uniform, fourth.toArray());
        }
    }

    @Test
    void keepingEitherTensorIntoTheOuterScopeComputesTheSoftmaxFirst() {
        Tensor p = parameter(3);
        try (Scope outer = Scope.open("outer")) {
            Tensor keptProbs;
            Tensor probs2;
            float[] expected;
            try (Scope inner = Scope.open("inner")) {
                Tensor logits = p.mul(1f);
                expected = eager(logits.toArray());
                keptProbs = inner.keep(logits.softmax(-1));
                assertFalse(deferred(keptProbs));
                Tensor logits2 = p.mul(1f);
                probs2 = logits2.softmax(-1);
                inner.keep(logits2); // the input moves out: its reader runs before that
                assertFalse(deferred(probs2));
                assertArrayEquals(expected, probs2.toArray());
            }
            assertArrayEquals(expected, keptProbs.toArray());
        }
    }

    @Test
    void aSoftmaxOfAnOuterScopesTensorIsComputedAtOnce() {
        Tensor p = parameter(4);
        try (Scope outer = Scope.open("outer")) {
            Tensor logits = p.mul(1f);
            try (Scope inner = Scope.open("inner")) {
                Tensor probs = logits.softmax(-1);
                assertFalse(deferred(probs), "the input could change or move apart from it");
            }
        }
    }

    @Test
    void aCrossEntropyFromTheLogitsNeverComputesTheSoftmaxAndGivesTheSameGradients() {
        int[] labels = new int[ROWS];
        for (int r = 0; r < ROWS; r++) {
            labels[r] = (r * 131) % COLS;
        }
        Tensor y = Tensor.of(labels, ROWS);
        float[][] grads = new float[2][];
        float[] losses = new float[2];
        for (int run = 0; run < 2; run++) {
            Tensor p = parameter(5);
            long before = CpuStorage.liveScopedBytes();
            try (Scope s = Scope.open("step")) {
                Tensor probs = p.mul(2f).softmax(-1);
                if (run == 1) {
                    probs.toArray(); // computed before the loss: the reference
                }
                Tensor loss = Losses.sparseCategoricalCrossentropy().compute(y, probs);
                loss.backward();
                assertEquals(run == 0, deferred(probs), "the loss and its backward work from the logits");
                losses[run] = loss.toArray()[0];
            }
            assertEquals(before, CpuStorage.liveScopedBytes());
            grads[run] = p.grad().toArray();
        }
        assertEquals(losses[1], losses[0]);
        assertArrayEquals(grads[1], grads[0]);
    }

    @Test
    void theSoftmaxBackwardComputesItWhenItNeedsItWithTheSameGradients() {
        Tensor w = Tensor.uniform(new int[] {ROWS, COLS}, -1, 1, 6);
        float[][] grads = new float[2][];
        for (int run = 0; run < 2; run++) {
            Tensor p = parameter(7);
            try (Scope s = Scope.open("step")) {
                Tensor probs = p.mul(1.5f).softmax(-1);
                if (run == 1) {
                    probs.toArray();
                }
                assertEquals(run == 0, deferred(probs));
                probs.mul(w).sum().backward();
            }
            grads[run] = p.grad().toArray();
        }
        assertArrayEquals(grads[1], grads[0]);
    }

    @Test
    void aWriterThatDoesNotSayItWritesGetsAClearErrorNotStaleValues() {
        Tensor p = parameter(8);
        try (Scope s = Scope.open("step")) {
            Tensor logits = p.mul(1f);
            Tensor probs = logits.softmax(-1);
            logits.markWrittenInPlace(); // as a backend primitive's write would, without beforeWriteInPlace()
            var e = assertThrows(IllegalStateException.class, probs::toArray);
            assertTrue(e.getMessage().contains("softmax") && e.getMessage().contains("beforeWriteInPlace"), e.getMessage());
        }
    }

    @Test
    void beforeWriteInPlaceSettlesTheReaders() {
        Tensor p = parameter(9);
        try (Scope s = Scope.open("step")) {
            Tensor logits = p.mul(1f);
            float[] expected = eager(logits.toArray());
            Tensor probs = logits.softmax(-1);
            logits.beforeWriteInPlace();
            assertFalse(deferred(probs));
            logits.markWrittenInPlace();
            assertArrayEquals(expected, probs.toArray());
        }
    }
}
