package dev.isthmus.samples.recommend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.samples.data.MovieLens.Rating;
import dev.isthmus.samples.recommend.UserHistories.Cases;
import dev.isthmus.samples.recommend.UserHistories.ItemIndex;
import dev.isthmus.samples.recommend.UserHistories.Windows;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The recommender's pure pieces on small hand-made data: no dataset, no training. */
class RecommendPiecesTest {

    private static Rating r(int user, int movie, long time) {
        return new Rating(user, movie, 4f, time);
    }

    @Test
    void historiesAreOrderedByTimeThenMovieId() {
        List<Rating> ratings = List.of(r(2, 50, 300), r(1, 30, 200), r(1, 10, 100), r(2, 40, 100),
                r(1, 20, 200), r(2, 60, 100));
        Map<Integer, int[]> h = UserHistories.byUser(ratings);
        assertEquals(List.of(1, 2), List.copyOf(h.keySet()));
        assertArrayEquals(new int[] {10, 20, 30}, h.get(1)); // 20 and 30 share a timestamp: smaller id first
        assertArrayEquals(new int[] {40, 60, 50}, h.get(2));
    }

    @Test
    void itemIndexMapsAscendingMovieIdsToOneBasedItems() {
        ItemIndex index = ItemIndex.of(List.of(new int[] {30, 10}, new int[] {20, 30}));
        assertEquals(3, index.size());
        assertEquals(1, index.item(10));
        assertEquals(3, index.item(30));
        assertEquals(-1, index.item(99));
        assertEquals(20, index.movieId(2));
        assertArrayEquals(new int[] {3, 1}, index.encode(new int[] {30, 99, 10}));
        assertThrows(IllegalArgumentException.class, () -> index.movieId(0));
    }

    @Test
    void leaveLastOutHoldsOutEachUsersLastItem() {
        Map<Integer, int[]> encoded = new java.util.TreeMap<>(Map.of(7, new int[] {1, 2, 3, 4}, 9, new int[] {5}, 3, new int[] {6, 1}));
        Cases test = UserHistories.testCases(encoded);
        assertArrayEquals(new int[] {3, 7}, test.users()); // user 9 has a single item and no input
        assertArrayEquals(new int[] {1, 4}, test.targets());
        assertArrayEquals(new int[] {6}, test.inputs()[0]);
        assertArrayEquals(new int[] {1, 2, 3}, test.inputs()[1]);
    }

    @Test
    void validationHoldsOutTheItemBeforeEachTestTargetAndNeverSeesTheTestTarget() {
        Map<Integer, int[]> encoded = new java.util.TreeMap<>(Map.of(7, new int[] {1, 2, 3, 4}, 9, new int[] {5, 6}, 3, new int[] {6, 1, 8}));
        Cases validation = UserHistories.validationCases(encoded);
        Cases test = UserHistories.testCases(encoded);
        assertArrayEquals(new int[] {3, 7}, validation.users()); // user 9's two items are one test case and no validation case
        assertArrayEquals(new int[] {1, 3}, validation.targets());
        assertArrayEquals(new int[] {6}, validation.inputs()[0]);
        assertArrayEquals(new int[] {1, 2}, validation.inputs()[1]);
        for (int v = 0; v < validation.size(); v++) {
            int t = java.util.Arrays.binarySearch(test.users(), validation.users()[v]);
            int testTarget = test.targets()[t];
            // the validation input is the test input without its last item, which is the validation target
            assertArrayEquals(java.util.Arrays.copyOf(test.inputs()[t], test.inputs()[t].length - 1), validation.inputs()[v]);
            assertEquals(test.inputs()[t][test.inputs()[t].length - 1], validation.targets()[v]);
            assertTrue(java.util.Arrays.stream(validation.inputs()[v]).noneMatch(i -> i == testTarget));
        }
    }

    @Test
    void trainingWindowsNeverUseTheValidationOrTestTarget() {
        Windows w = UserHistories.windows(List.of(new int[] {1, 2, 3, 4, 5}, new int[] {6, 7, 8}), 3);
        // user 1: training part 1,2,3 (4 validates, 5 tests) → (1)→2, (1,2)→3; user 2: training part 6 → nothing
        assertEquals(2, w.size());
        assertArrayEquals(new int[] {2, 3}, w.y());
        assertArrayEquals(new int[] {0, 0, 1, 0, 1, 2}, w.x());

        Windows longer = UserHistories.windows(List.<int[]>of(new int[] {1, 2, 3, 4, 5, 6}), 2);
        assertArrayEquals(new int[] {0, 1, 1, 2, 2, 3}, longer.x()); // only the last 2 items
        assertArrayEquals(new int[] {2, 3, 4}, longer.y());
    }

    @Test
    void subsampleKeepsWholeExamples() {
        Windows w = UserHistories.windows(List.<int[]>of(new int[] {1, 2, 3, 4, 5, 6, 7, 8}), 2);
        Windows s = UserHistories.subsample(w, 3, 1);
        assertEquals(3, s.size());
        for (int i = 0; i < s.size(); i++) {
            int label = (int) s.y()[i];
            assertEquals(label - 1, s.x()[2 * i + 1], 0); // the previous item stays with its label
        }
        assertEquals(w.size(), UserHistories.subsample(w, 100, 1).size());
    }

    @Test
    void popularityCountsTrainingItemsOnly() {
        float[] pop = UserHistories.popularity(List.of(new int[] {1, 2, 3}, new int[] {2, 3, 1}, new int[] {3}), 4);
        // test targets (3, 1 and the single 3) are not counted
        assertArrayEquals(new float[] {0, 1, 2, 1, 0}, pop);
    }

    @Test
    void rankExcludesSeenItemsAndPaddingAndBreaksTiesBySmallerItem() {
        float[] scores = {9, 0.5f, 0.9f, 0.1f, 0.7f, 0.7f};
        assertEquals(0, RankingMetrics.rank(scores, 2, null)); // item 0 (padding) is never ranked
        assertEquals(2, RankingMetrics.rank(scores, 5, null)); // item 2 scores higher; item 4 ties and is smaller
        assertEquals(1, RankingMetrics.rank(scores, 4, null));
        boolean[] seen = UserHistories.seen(new int[] {2}, 5);
        assertEquals(0, RankingMetrics.rank(scores, 4, seen));
        assertEquals(4, RankingMetrics.rank(scores, 3, null));
        assertArrayEquals(new int[] {4, 5, 1}, RankingMetrics.topK(scores, 0, 6, seen, 3));
        assertArrayEquals(new int[] {2, 4, 5, 1, 3}, RankingMetrics.topK(scores, 0, 6, null, 10));
    }

    @Test
    void hitRateAndNdcgOnHandMadeRanks() {
        assertEquals(1.0, RankingMetrics.ndcg(0, 10), 1e-12);
        assertEquals(0.5, RankingMetrics.ndcg(2, 10), 1e-12);
        assertEquals(1 / (Math.log(11) / Math.log(2)), RankingMetrics.ndcg(9, 10), 1e-12);
        assertEquals(0, RankingMetrics.ndcg(10, 10));
        RankingMetrics.Result r = RankingMetrics.Result.of(new int[] {0, 2, 10, 50}, 10);
        assertEquals(0.5, r.hitRate(), 1e-12);
        assertEquals((1 + 0.5) / 4, r.ndcg(), 1e-12);
        assertEquals(4, r.users());
    }

    @Test
    void popularityBaselineRankedLikeTheModel() {
        // two users; popularity from their histories without the last items
        List<int[]> histories = List.of(new int[] {1, 2, 3, 2}, new int[] {2, 1, 4, 3});
        float[] pop = UserHistories.popularity(histories, 4); // counts: 1→2, 2→2, 3→1, 4→1
        assertArrayEquals(new float[] {0, 2, 2, 1, 1}, pop);
        Map<Integer, int[]> encoded = Map.of(1, histories.get(0), 2, histories.get(1));
        Cases test = UserHistories.testCases(new java.util.TreeMap<>(encoded));
        int[] ranks = new int[test.size()];
        for (int u = 0; u < test.size(); u++) {
            ranks[u] = RankingMetrics.rank(pop, test.targets()[u], UserHistories.seen(test.inputs()[u], 4));
        }
        // user 1 saw 1,2,3, target 2 (already seen by the user but always ranked): 1 and 3 excluded → 4 ranks below → rank 0
        // user 2 saw 2,1,4, target 3: all others seen → rank 0
        assertArrayEquals(new int[] {0, 0}, ranks);
        assertEquals(1.0, RankingMetrics.Result.of(ranks, 1).hitRate(), 1e-12);
    }

    @Test
    void leftPadAndInputs() {
        int[] x = UserHistories.inputs(new int[][] {{5}, {1, 2, 3, 4}}, 3);
        assertArrayEquals(new int[] {0, 0, 5, 2, 3, 4}, x);
    }

    @Test
    void ensembleMembersHaveDistinctSeedsAndFilesAndTheFirstIsTheRunItself() {
        for (long seed : new long[] {0, 1, 2, 3, 42, -7}) {
            assertEquals(seed, RecommendSample.memberSeed(seed, 0));
            java.util.Set<Long> seeds = new java.util.HashSet<>();
            for (int k = 0; k < RecommendSample.MEMBERS; k++) {
                seeds.add(RecommendSample.memberSeed(seed, k));
            }
            assertEquals(RecommendSample.MEMBERS, seeds.size(), "member seeds of run seed " + seed);
        }
        // no member of one run shares a seed with a member of the next run seed
        assertTrue(java.util.stream.IntStream.range(0, RecommendSample.MEMBERS).noneMatch(k ->
                java.util.stream.IntStream.range(0, RecommendSample.MEMBERS).anyMatch(j ->
                        RecommendSample.memberSeed(1, k) == RecommendSample.memberSeed(2, j))));
        assertEquals(dev.isthmus.samples.Training.MODEL_FILE, RecommendSample.memberFile(0));
        assertEquals("model-2.safetensors", RecommendSample.memberFile(1));
    }

    @Test
    void ranksOfAveragedScoresPutTheTargetWhereTheAverageDoes() {
        // two cases, output classes 0 (padding) .. 3 for items 1..3
        OutputItems output = new OutputItems(new int[] {1, 2, 3});
        Cases cases = new Cases(new int[] {1, 2}, new int[][] {{1}, {2}}, new int[] {2, 3});
        float[] a = {0, 0.1f, 0.6f, 0.3f, 0, 0.5f, 0.1f, 0.4f};
        float[] b = {0, 0.1f, 0.0f, 0.9f, 0, 0.1f, 0.1f, 0.8f};
        // case 1: item 1 is seen; average of items 2, 3 = 0.3, 0.6: target 2 ranks second (rank 1)
        // case 2: item 2 is seen; average of items 1, 3 = 0.3, 0.6: target 3 ranks first (rank 0)
        float[] mean = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            mean[i] = (a[i] + b[i]) / 2;
        }
        assertArrayEquals(new int[] {1, 0}, RecommendSample.ranks(mean, cases, output, 3));
        assertArrayEquals(new int[] {0, 1}, RecommendSample.ranks(a, cases, output, 3));
    }
}
