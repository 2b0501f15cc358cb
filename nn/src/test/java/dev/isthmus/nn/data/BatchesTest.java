package dev.isthmus.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchesTest {
    private static final int ROWS = 20;

    /** x row i is [i, 100 + i] and y[i] = i, so every batch shows which rows it holds and that they align. */
    private static Tensor[] data() {
        float[] x = new float[ROWS * 2];
        float[] y = new float[ROWS];
        for (int i = 0; i < ROWS; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = 100 + i;
            y[i] = i;
        }
        return new Tensor[] {Tensor.of(x, ROWS, 2), Tensor.of(y, ROWS)};
    }

    /** The row numbers of one epoch, in order, checking that x and y stay aligned. */
    private static List<Integer> rowsOf(Iterator<Tensor[]> epoch, List<Integer> batchSizes) {
        List<Integer> rows = new ArrayList<>();
        while (epoch.hasNext()) {
            Tensor[] b = epoch.next();
            float[] x = b[0].toArray();
            float[] y = b[1].toArray();
            assertEquals(y.length, b[0].size(0));
            assertEquals(2, b[0].size(1));
            for (int k = 0; k < y.length; k++) {
                assertEquals(y[k], x[2 * k]);
                assertEquals(100 + y[k], x[2 * k + 1]);
                rows.add((int) y[k]);
            }
            batchSizes.add(y.length);
        }
        return rows;
    }

    @Test
    void everyRowAppearsExactlyOncePerEpoch() {
        Tensor[] d = data();
        Batches batches = Batches.of(6, 42, true, d[0], d[1]);
        assertEquals(4, batches.steps());
        for (int epoch = 0; epoch < 3; epoch++) {
            List<Integer> sizes = new ArrayList<>();
            List<Integer> rows = rowsOf(batches.iterator(), sizes);
            assertEquals(List.of(6, 6, 6, 2), sizes);
            int[] sorted = rows.stream().mapToInt(Integer::intValue).sorted().toArray();
            int[] all = new int[ROWS];
            Arrays.setAll(all, i -> i);
            assertArrayEquals(all, sorted, "epoch " + epoch);
        }
    }

    @Test
    void sameSeedGivesTheSameOrderAndEpochsDiffer() {
        Tensor[] d = data();
        Batches a = Batches.of(5, 7, true, d[0], d[1]);
        Batches b = Batches.of(5, 7, true, d[0], d[1]);
        List<Integer> a0 = rowsOf(a.iterator(), new ArrayList<>());
        List<Integer> a1 = rowsOf(a.iterator(), new ArrayList<>());
        assertEquals(a0, rowsOf(b.iterator(), new ArrayList<>()));
        assertEquals(a1, rowsOf(b.iterator(), new ArrayList<>()));
        assertFalse(a0.equals(a1), "epochs 0 and 1 should be shuffled differently");
        assertEquals(a1, rowsOf(a.iterator(1), new ArrayList<>()), "an epoch can be replayed");
        assertFalse(Arrays.equals(a.order(0), Batches.of(5, 8, true, d[0]).order(0)),
                "another seed should give another order");
    }

    @Test
    void withoutShuffleRowsComeInOrder() {
        Tensor[] d = data();
        List<Integer> rows = rowsOf(Batches.of(8, 1, false, d[0], d[1]).iterator(), new ArrayList<>());
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            expected.add(i);
        }
        assertEquals(expected, rows);
    }

    @Test
    void dropLastSkipsTheShortFinalBatch() {
        Tensor[] d = data();
        Batches batches = Batches.of(6, 3, true, d[0], d[1]).dropLast(true);
        assertEquals(3, batches.steps());
        List<Integer> sizes = new ArrayList<>();
        List<Integer> rows = rowsOf(batches.iterator(), sizes);
        assertEquals(List.of(6, 6, 6), sizes);
        assertEquals(18, rows.stream().distinct().count());
        assertEquals(0, Batches.of(25, 3, false, d[0]).dropLast(true).steps());
        assertEquals(1, Batches.of(25, 3, false, d[0]).steps());
    }

    @Test
    void arraysWithDifferentRowCountsNameBothShapes() {
        var e = assertThrows(ShapeMismatchException.class,
                () -> Batches.of(4, 0, true, Tensor.zeros(10, 3), Tensor.zeros(9)));
        assertTrue(e.getMessage().contains("[10, 3]") && e.getMessage().contains("[9]"), e.getMessage());
    }

    @Test
    void badBatchSizeOrNoDataIsRejectedClearly() {
        var size = assertThrows(IllegalArgumentException.class, () -> Batches.of(0, 0, true, Tensor.zeros(4)));
        assertTrue(size.getMessage().contains("batch size"), size.getMessage());
        var none = assertThrows(IllegalArgumentException.class, () -> Batches.of(4, 0, true));
        assertTrue(none.getMessage().contains("no arrays"), none.getMessage());
        var empty = assertThrows(IllegalArgumentException.class, () -> Batches.of(4, 0, true, Tensor.zeros(0, 3)));
        assertTrue(empty.getMessage().contains("no rows"), empty.getMessage());
    }
}
