package dev.isthmus.samples.recommend;

/**
 * Hit rate and NDCG at k for one held-out item per user, ranked among all items by score.
 *
 * <p>Ranking rules, shared by the model and the popularity baseline: item 0 (padding) is never
 * ranked; items the user has already seen (its input history) are excluded, since a MovieLens user
 * rates a movie once and the held-out item is never one already seen; ties in score are broken by
 * the smaller item index first (deterministic, and neither favourable nor adverse to the target on
 * purpose). The rank is 0-based: rank 0 is the top recommendation.
 */
public final class RankingMetrics {
    private RankingMetrics() {
    }

    /**
     * The 0-based rank of {@code target} among items 1..scores.length-1 of {@code scores}, not
     * counting items marked in {@code seen} (the target itself is always ranked).
     */
    public static int rank(float[] scores, int offset, int classes, int target, boolean[] seen) {
        if (target < 1 || target >= classes) {
            throw new IllegalArgumentException("target item " + target + " is outside 1.." + (classes - 1));
        }
        float s = scores[offset + target];
        int rank = 0;
        for (int j = 1; j < classes; j++) {
            if (j == target || seen != null && seen[j]) {
                continue;
            }
            float v = scores[offset + j];
            if (v > s || v == s && j < target) {
                rank++;
            }
        }
        return rank;
    }

    public static int rank(float[] scores, int target, boolean[] seen) {
        return rank(scores, 0, scores.length, target, seen);
    }

    /** 1 when the rank is inside the top k, else 0. */
    public static double hit(int rank, int k) {
        return rank < k ? 1 : 0;
    }

    /** NDCG@k for one relevant item: 1 / log2(rank + 2) inside the top k, else 0 (the ideal DCG is 1). */
    public static double ndcg(int rank, int k) {
        return rank < k ? 1 / (Math.log(rank + 2) / Math.log(2)) : 0;
    }

    /** Mean HR@k and NDCG@k over users with the given ranks. */
    public record Result(double hitRate, double ndcg, int users) {
        public static Result of(int[] ranks, int k) {
            double h = 0;
            double n = 0;
            for (int r : ranks) {
                h += RankingMetrics.hit(r, k);
                n += RankingMetrics.ndcg(r, k);
            }
            return new Result(ranks.length == 0 ? 0 : h / ranks.length, ranks.length == 0 ? 0 : n / ranks.length, ranks.length);
        }
    }

    /** The k best unseen items 1..classes-1 by score (ties: smaller item first), best first. */
    public static int[] topK(float[] scores, int offset, int classes, boolean[] seen, int k) {
        int[] best = new int[k];
        int count = 0;
        for (int j = 1; j < classes; j++) {
            if (seen != null && seen[j]) {
                continue;
            }
            float v = scores[offset + j];
            int pos = count;
            while (pos > 0 && scores[offset + best[pos - 1]] < v) {
                pos--;
            }
            if (pos >= k) {
                continue;
            }
            int end = Math.min(count, k - 1);
            System.arraycopy(best, pos, best, pos + 1, end - pos);
            best[pos] = j;
            count = Math.min(count + 1, k);
        }
        return java.util.Arrays.copyOf(best, count);
    }
}
