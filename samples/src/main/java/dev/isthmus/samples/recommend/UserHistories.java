package dev.isthmus.samples.recommend;

import dev.isthmus.samples.data.MovieLens.Rating;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Pure data preparation of the recommender: each user's viewing history in time order, the movie id
 * to item index mapping, the leave-last-out split and the next-item training windows.
 *
 * <p><b>Order.</b> A user's ratings are ordered by timestamp; ratings with the same timestamp (users
 * often rate many movies in one second) are ordered by ascending movie id, so the order, and with
 * it the held-out last item, never depends on the row order of the data file.
 *
 * <p><b>Items.</b> The distinct movie ids, ascending, become items 1..M; 0 is padding.
 *
 * <p><b>Split (leave-last-out, with leave-one-out validation).</b> For a history h of length n, the
 * test case is h[0..n-1) → h[n-1] and the validation case h[0..n-2) → h[n-2]; training windows are
 * next-item predictions inside the rest, h[0..n-2): for every position t in 1..n-3, the last up to
 * {@code window} items before t → h[t]. Neither a test nor a validation target is ever a training
 * label, and no validation case reaches a test target; the popularity baseline counts h[0..n-1).
 */
public final class UserHistories {
    /** The padding item. */
    public static final int PAD = 0;

    private UserHistories() {
    }

    /** Each user's movie ids in time order (ties by movie id), by ascending user id. */
    public static Map<Integer, int[]> byUser(List<Rating> ratings) {
        Map<Integer, List<Rating>> grouped = new TreeMap<>();
        for (Rating r : ratings) {
            grouped.computeIfAbsent(r.userId(), k -> new ArrayList<>()).add(r);
        }
        Comparator<Rating> order = Comparator.comparingLong(Rating::timestamp).thenComparingInt(Rating::movieId);
        Map<Integer, int[]> out = new TreeMap<>();
        grouped.forEach((user, list) -> {
            list.sort(order);
            out.put(user, list.stream().mapToInt(Rating::movieId).toArray());
        });
        return out;
    }

    /** The movie id ↔ item index mapping: distinct movie ids, ascending, become items 1..M. */
    public record ItemIndex(int[] movieIds) {
        public ItemIndex {
            movieIds = movieIds.clone();
            for (int i = 1; i < movieIds.length; i++) {
                if (movieIds[i] <= movieIds[i - 1]) {
                    throw new IllegalArgumentException("movie ids must be strictly ascending");
                }
            }
        }

        public static ItemIndex of(Iterable<int[]> histories) {
            TreeSet<Integer> ids = new TreeSet<>();
            for (int[] h : histories) {
                for (int m : h) {
                    ids.add(m);
                }
            }
            return new ItemIndex(ids.stream().mapToInt(Integer::intValue).toArray());
        }

        /** M, the number of items (the model has M + 1 classes, class 0 being padding). */
        public int size() {
            return movieIds.length;
        }

        /** The item of a movie id, 1..M, or -1 when the movie is unknown. */
        public int item(int movieId) {
            int i = Arrays.binarySearch(movieIds, movieId);
            return i < 0 ? -1 : i + 1;
        }

        public int movieId(int item) {
            if (item < 1 || item > movieIds.length) {
                throw new IllegalArgumentException("item " + item + " is outside 1.." + movieIds.length);
            }
            return movieIds[item - 1];
        }

        /** A history's movie ids as items (unknown movies are dropped). */
        public int[] encode(int[] movieIds) {
            return Arrays.stream(movieIds).map(this::item).filter(i -> i > 0).toArray();
        }
    }

    /** One evaluation case per user: the items before the target, and the target. */
    public record Cases(int[] users, int[][] inputs, int[] targets) {
        public int size() {
            return users.length;
        }
    }

    /** The encoded histories of every user, by ascending user id. */
    public static Map<Integer, int[]> encode(Map<Integer, int[]> histories, ItemIndex index) {
        Map<Integer, int[]> out = new TreeMap<>();
        histories.forEach((u, h) -> out.put(u, index.encode(h)));
        return out;
    }

    /** The test cases: h[0..n-1) → h[n-1] for every user with at least two items. */
    public static Cases testCases(Map<Integer, int[]> encoded) {
        return casesEndingAt(encoded, 1);
    }

    /**
     * The validation cases: h[0..n-2) → h[n-2] for every user with at least three items, the
     * item before each test target predicted from the items before it.
     */
    public static Cases validationCases(Map<Integer, int[]> encoded) {
        return casesEndingAt(encoded, 2);
    }

    private static Cases casesEndingAt(Map<Integer, int[]> encoded, int fromEnd) {
        List<Integer> users = new ArrayList<>();
        List<int[]> inputs = new ArrayList<>();
        List<Integer> targets = new ArrayList<>();
        encoded.forEach((u, h) -> {
            int t = h.length - fromEnd;
            if (t >= 1) {
                users.add(u);
                inputs.add(Arrays.copyOf(h, t));
                targets.add(h[t]);
            }
        });
        return new Cases(users.stream().mapToInt(Integer::intValue).toArray(), inputs.toArray(int[][]::new),
                targets.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The part of a history that training may use: everything before the validation and test targets. */
    public static int[] trainingPart(int[] h) {
        return Arrays.copyOf(h, Math.max(0, h.length - 2));
    }

    /** Next-item training examples: inputs [n, window] (left-padded with 0) and labels [n]. */
    public record Windows(int[] x, int[] y, int window) {
        public int size() {
            return y.length;
        }
    }

    /**
     * Every next-item example inside each user's training part: for each position t ≥ 1 of it, the
     * last up to {@code window} items before t, left-padded with {@link #PAD}, and the item at t.
     */
    public static Windows windows(Iterable<int[]> encoded, int window) {
        int n = 0;
        for (int[] h : encoded) {
            n += Math.max(0, trainingPart(h).length - 1);
        }
        int[] x = new int[n * window];
        int[] y = new int[n];
        int row = 0;
        for (int[] h : encoded) {
            int[] part = trainingPart(h);
            for (int t = 1; t < part.length; t++) {
                leftPad(part, t, window, x, row * window);
                y[row++] = part[t];
            }
        }
        return new Windows(x, y, window);
    }

    /** The last up to {@code window} items of seq[0..end), left-padded with 0, into out[at..at+window). */
    public static void leftPad(int[] seq, int end, int window, int[] out, int at) {
        int count = Math.min(window, end);
        int pad = window - count;
        Arrays.fill(out, at, at + pad, PAD);
        for (int k = 0; k < count; k++) {
            out[at + pad + k] = seq[end - count + k];
        }
    }

    /** Rows of left-padded inputs [n, window] for the given histories (their whole length). */
    public static int[] inputs(int[][] histories, int window) {
        int[] x = new int[histories.length * window];
        for (int i = 0; i < histories.length; i++) {
            leftPad(histories[i], histories[i].length, window, x, i * window);
        }
        return x;
    }

    /**
     * Item popularity on training data only: how often each item 1..M occurs in the users' histories
     * without their test targets (index 0, padding, stays 0). Its HR uses the model's ranking rules.
     */
    public static float[] popularity(Iterable<int[]> encoded, int items) {
        float[] count = new float[items + 1];
        for (int[] h : encoded) {
            for (int i = 0; i < h.length - 1; i++) {
                count[h[i]]++;
            }
        }
        return count;
    }

    /**
     * A random subsample of the windows in random order: {@code min(keep, n)} of them, chosen without
     * replacement with {@code seed} (all of them, shuffled, when {@code keep >= n}), so that a
     * validation split taken off the end is a random sample too.
     */
    public static Windows subsample(Windows w, int keep, long seed) {
        int n = w.size();
        keep = Math.min(keep, n);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        var rng = new java.util.SplittableRandom(seed);
        for (int i = 0; i < keep; i++) {
            int j = i + rng.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int[] chosen = Arrays.copyOf(idx, keep);
        int len = w.window();
        int[] x = new int[keep * len];
        int[] y = new int[keep];
        for (int r = 0; r < keep; r++) {
            System.arraycopy(w.x(), chosen[r] * len, x, r * len, len);
            y[r] = w.y()[chosen[r]];
        }
        return new Windows(x, y, len);
    }

    /** Items of a user's history as a lookup set over 0..items. */
    public static boolean[] seen(int[] history, int items) {
        boolean[] s = new boolean[items + 1];
        for (int i : history) {
            s[i] = true;
        }
        return s;
    }
}
