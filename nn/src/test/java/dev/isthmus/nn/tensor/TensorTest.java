package dev.isthmus.nn.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorTest {

    @Test
    void createsFromArraysAndReadsBack() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toArray());
        assertEquals(3f, Tensor.of(new float[][] {{1, 2}, {3, 4}}).sum(1).toArray()[0]);
        assertEquals(7f, Tensor.scalar(7f).item());
        assertArrayEquals(new float[] {2.5f, 2.5f}, Tensor.full(2.5f, 2).toArray());
        assertArrayEquals(new float[] {0, 0, 0}, Tensor.zeros(3).toArray());
    }

    @Test
    void wrongNumberOfValuesNamesCounts() {
        var e = assertThrows(ShapeMismatchException.class, () -> Tensor.of(new float[] {1, 2, 3}, 2, 2));
        assertTrue(e.getMessage().contains("3 values") && e.getMessage().contains("[2, 2]"), e.getMessage());
    }

    @Test
    void seededRandomIsReproducibleAndHasTheRightMoments() {
        Tensor a = Tensor.normal(new int[] {20000}, 1f, 2f, 42);
        assertArrayEquals(a.toArray(), Tensor.normal(new int[] {20000}, 1f, 2f, 42).toArray());
        assertNotEquals(a.toArray()[0], Tensor.normal(new int[] {20000}, 1f, 2f, 43).toArray()[0]);
        assertEquals(1f, a.mean().item(), 0.05f);
        assertEquals(4f, a.sub(1f).square().mean().item(), 0.15f);
        float[] u = Tensor.uniform(new int[] {10000}, -3f, 5f, 7).toArray();
        for (float v : u) {
            assertTrue(v >= -3f && v < 5f);
        }
    }

    @Test
    void glorotAndHeFollowKerasScales() {
        float limit = (float) Math.sqrt(6.0 / (300 + 100));
        Tensor g = Tensor.glorotUniform(new int[] {300, 100}, 1);
        assertTrue(g.abs().max().item() <= limit);
        assertEquals(limit * limit / 3, g.square().mean().item(), limit * limit * 0.05f);
        Tensor h = Tensor.heNormal(new int[] {400, 200}, 2);
        // truncated at 2 sigma of the untruncated std; its variance comes out as 2 / fanIn
        assertEquals(2.0 / 400, h.square().mean().item(), 2.0 / 400 * 0.05);
    }

    @Test
    void reshapeInfersOneDimensionAndSharesMemory() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor r = t.reshape(3, -1);
        assertArrayEquals(new int[] {3, 2}, r.shape());
        assertTrue(r.storage() == t.storage());
        var e = assertThrows(ShapeMismatchException.class, () -> t.reshape(4, 2));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 2]"), e.getMessage());
    }

    @Test
    void broadcastingFollowsNumpy() {
        Tensor a = Tensor.of(new float[] {1, 2, 3}, 3, 1);
        Tensor b = Tensor.of(new float[] {10, 20}, 2);
        assertArrayEquals(new float[] {11, 21, 12, 22, 13, 23}, a.add(b).toArray());
        assertArrayEquals(new int[] {3, 2}, a.add(b).shape());
        var e = assertThrows(ShapeMismatchException.class, () -> Tensor.zeros(2, 3).add(Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4]"), e.getMessage());
    }

    @Test
    void matmulShapeErrorNamesBothShapes() {
        var e = assertThrows(ShapeMismatchException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 5]"), e.getMessage());
    }

    @Test
    void matmulComputesProducts() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
        assertArrayEquals(new float[] {4, 5, 10, 11}, a.matmul(b).toArray());
        Tensor batched = Tensor.concat(0, a.reshape(1, 2, 3), a.mul(2f).reshape(1, 2, 3));
        assertArrayEquals(new float[] {4, 5, 10, 11, 8, 10, 20, 22}, batched.matmul(b).toArray());
    }

    @Test
    void reductionsKeepOrDropAxes() {
        Tensor t = Tensor.of(new float[] {1, 5, 3, 4, 2, 6}, 2, 3);
        assertArrayEquals(new float[] {5, 6}, t.max(1).toArray());
        assertArrayEquals(new int[] {2, 1}, t.max(new int[] {1}, true).shape());
        assertArrayEquals(new float[] {2.5f, 3.5f, 4.5f}, t.mean(0).toArray());
        assertEquals(21f, t.sum().item());
        assertArrayEquals(new int[] {}, t.sum().shape());
    }

    @Test
    void sliceConcatPermuteAndIndexSelect() {
        Tensor t = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 3, 2);
        assertArrayEquals(new float[] {2, 3, 4, 5}, t.slice(0, 1, 3).toArray());
        assertArrayEquals(new float[] {0, 2, 4, 1, 3, 5}, t.transpose().toArray());
        assertArrayEquals(new float[] {4, 5, 0, 1, 4, 5}, t.indexSelect(2, 0, 2).toArray());
        assertArrayEquals(new float[] {0, 1, 0, 2, 3, 0, 4, 5, 0}, Tensor.concat(1, t, Tensor.zeros(3, 1)).toArray());
        assertThrows(IndexOutOfBoundsException.class, () -> t.slice(0, 2, 4));
        assertThrows(IndexOutOfRangeException.class, () -> t.indexSelect(3));
    }

    @Test
    void softmaxRowsSumToOneEvenForHugeValues() {
        float[] p = Tensor.of(new float[] {1000, 1001, 1002, -5, 0, 5}, 2, 3).softmax(-1).toArray();
        assertEquals(1f, p[0] + p[1] + p[2], 1e-6f);
        assertEquals(1f, p[3] + p[4] + p[5], 1e-6f);
        assertEquals(0.6652409f, p[2], 1e-6f);
    }

    @Test
    void toStringIsNumpyLikeAndTruncatesLargeTensors() {
        assertEquals("tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]], shape=[2, 2])",
                Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).toString());
        String big = Tensor.zeros(2000).toString();
        assertTrue(big.contains("...") && big.length() < 200, big);
    }

    @Test
    void gradientsAccumulateUntilZeroed() {
        Tensor w = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        w.mul(3f).sum().backward();
        w.mul(3f).sum().backward();
        assertArrayEquals(new float[] {6, 6}, w.grad().toArray());
        w.zeroGrad();
        assertArrayEquals(new float[] {0, 0}, w.grad().toArray());
    }

    @Test
    void noGradRecordsNothing() {
        Tensor w = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        try (var ignored = dev.isthmus.nn.autograd.GradMode.noGrad()) {
            Tensor y = w.mul(2f);
            assertTrue(!y.requiresGrad() && y.gradFn() == null);
        }
        assertTrue(w.mul(2f).requiresGrad());
    }

    @Test
    void backwardThroughALongChainDoesNotOverflowTheStack() {
        Tensor w = Tensor.scalar(1f).requiresGrad(true);
        Tensor y = w;
        for (int i = 0; i < 20000; i++) {
            y = y.mul(1f);
        }
        y.backward();
        assertEquals(1f, w.grad().item());
    }
}
