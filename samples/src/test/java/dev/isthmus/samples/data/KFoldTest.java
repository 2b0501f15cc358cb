package dev.isthmus.samples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class KFoldTest {

    @Test
    void testFoldsPartitionTheRowsAndEachTrainSetIsTheComplement() {
        int n = 442;
        List<KFold.Fold> folds = KFold.split(n, 5, 42);
        assertEquals(5, folds.size());
        int[] timesInTest = new int[n];
        for (KFold.Fold fold : folds) {
            boolean[] inTest = new boolean[n];
            for (int i : fold.test()) {
                inTest[i] = true;
                timesInTest[i]++;
            }
            assertEquals(n, fold.train().length + fold.test().length);
            for (int i : fold.train()) {
                assertFalse(inTest[i], "row " + i + " is in both train and test");
            }
            assertStrictlyAscending(fold.train());
            assertStrictlyAscending(fold.test());
        }
        for (int i = 0; i < n; i++) {
            assertEquals(1, timesInTest[i], "row " + i + " must be in exactly one test fold");
        }
    }

    @Test
    void foldSizesDifferByAtMostOne() {
        for (int[] nk : new int[][] {{442, 5}, {10, 3}, {7, 7}, {2, 2}, {101, 10}, {1000, 9}}) {
            List<KFold.Fold> folds = KFold.split(nk[0], nk[1], 7);
            int min = Integer.MAX_VALUE;
            int max = 0;
            int total = 0;
            for (KFold.Fold f : folds) {
                min = Math.min(min, f.test().length);
                max = Math.max(max, f.test().length);
                total += f.test().length;
            }
            assertTrue(max - min <= 1, "n=" + nk[0] + " k=" + nk[1] + ": sizes " + min + ".." + max);
            assertEquals(nk[0], total);
        }
    }

    @Test
    void sameSeedGivesSameFoldsAndAnotherSeedShufflesDifferently() {
        List<KFold.Fold> a = KFold.split(100, 4, 42);
        List<KFold.Fold> b = KFold.split(100, 4, 42);
        List<KFold.Fold> c = KFold.split(100, 4, 43);
        assertEquals(a, b);
        for (int f = 0; f < a.size(); f++) {
            assertArrayEquals(a.get(f).test(), b.get(f).test());
            assertArrayEquals(a.get(f).train(), b.get(f).train());
        }
        assertNotEquals(a, c);
    }

    @Test
    void shuffleIsNotTheIdentity() {
        int[] firstTest = KFold.split(100, 4, 42).getFirst().test();
        boolean contiguous = firstTest[firstTest.length - 1] - firstTest[0] == firstTest.length - 1;
        assertFalse(contiguous, "the first test fold should not be rows 0..24");
    }

    @Test
    void rejectsKBelowTwoOrAboveNNamingBoth() {
        IllegalArgumentException low = assertThrows(IllegalArgumentException.class, () -> KFold.split(10, 1, 0));
        assertTrue(low.getMessage().contains("k=1") && low.getMessage().contains("n=10"), low.getMessage());
        IllegalArgumentException high = assertThrows(IllegalArgumentException.class, () -> KFold.split(3, 4, 0));
        assertTrue(high.getMessage().contains("k=4") && high.getMessage().contains("n=3"), high.getMessage());
    }

    @Test
    void rowsSelectsTheIndexedRowsInOrder() {
        double[][] x = {{0}, {1}, {2}, {3}};
        double[] y = {10, 11, 12, 13};
        int[] idx = {3, 1};
        assertEquals(3.0, KFold.rows(x, idx)[0][0]);
        assertArrayEquals(new double[] {13, 11}, KFold.rows(y, idx));
    }

    private static void assertStrictlyAscending(int[] a) {
        for (int i = 1; i < a.length; i++) {
            assertTrue(a[i - 1] < a[i], "indices must be ascending");
        }
    }
}
