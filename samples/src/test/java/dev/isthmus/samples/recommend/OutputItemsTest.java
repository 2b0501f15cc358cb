package dev.isthmus.samples.recommend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isthmus.samples.recommend.UserHistories.Windows;
import org.junit.jupiter.api.Test;

/** The recommender's output vocabulary on hand-made windows. */
class OutputItemsTest {
    // five windows of two items; labels 3, 5, 3, 2, 3: item 3 labels three windows, 2 and 5 one each
    private static final Windows W = new Windows(new int[] {0, 1, 1, 2, 2, 4, 0, 6, 4, 2}, new int[] {3, 5, 3, 2, 3}, 2);

    @Test
    void keepsItemsLabellingEnoughWindowsAsAscendingClasses() {
        OutputItems out = OutputItems.of(W, 6, 1);
        assertArrayEquals(new int[] {2, 3, 5}, out.items());
        assertEquals(4, out.classes());
        assertEquals(2, out.classOf(3));
        assertEquals(-1, out.classOf(4)); // only ever an input
        assertEquals(5, out.item(3));
        assertArrayEquals(new int[] {3}, OutputItems.of(W, 6, 2).items());
    }

    @Test
    void relabelDropsWindowsOfUnscoredItemsAndKeepsInputsAsItems() {
        Windows r = OutputItems.of(W, 6, 2).relabel(W);
        assertArrayEquals(new int[] {1, 1, 1}, r.y()); // item 3 is class 1
        assertArrayEquals(new int[] {0, 1, 2, 4, 4, 2}, r.x());
    }

    @Test
    void unscoredItemsRankAfterEveryScoredOne() {
        OutputItems out = OutputItems.of(W, 6, 1); // classes 1, 2, 3 are items 2, 3, 5
        float[] scores = out.itemScores(new float[] {9, 9, 0.2f, 0.5f, 0.3f}, 1, 6); // row 0 is another batch row
        assertEquals(Float.NEGATIVE_INFINITY, scores[0]);
        assertEquals(0.5f, scores[3]);
        assertEquals(0.3f, scores[5]);
        assertEquals(Float.NEGATIVE_INFINITY, scores[4]);
        assertEquals(1, RankingMetrics.rank(scores, 5, null));
        assertEquals(3, RankingMetrics.rank(scores, 1, null)); // unscored: after 2, 3, 5; its tie with 4, 6 goes to the smaller
        assertEquals(5, RankingMetrics.rank(scores, 6, null));
    }

    @Test
    void rejectsItemsOutOfOrder() {
        assertThrows(IllegalArgumentException.class, () -> new OutputItems(new int[] {3, 2}));
        assertThrows(IllegalArgumentException.class, () -> new OutputItems(new int[] {0, 2}));
    }
}
