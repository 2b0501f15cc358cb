package dev.isthmus.samples.recommend;

import dev.isthmus.samples.recommend.UserHistories.Windows;
import java.util.Arrays;

/**
 * The items the model scores: those that are the label of at least a minimum number of training
 * windows, as output classes 1..V in ascending item order (class 0 is never a label, as padding
 * is not). Rarer items are still read as inputs but never predicted; in a ranking they come after
 * every item the model scores, so a test target among them is a miss, counted as one.
 *
 * <p>Why: the softmax over every item is most of the recommender's training time, and on
 * MovieLens about half the items are the label of fewer than three windows, too rare to learn to
 * predict.
 */
public record OutputItems(int[] items) {
    public OutputItems {
        items = items.clone();
        for (int i = 0; i < items.length; i++) {
            if (items[i] < 1 || i > 0 && items[i] <= items[i - 1]) {
                throw new IllegalArgumentException("output items must be strictly ascending items >= 1");
            }
        }
    }

    /** The items 1..itemCount that label at least {@code minCount} of the windows. */
    public static OutputItems of(Windows w, int itemCount, int minCount) {
        int[] labels = new int[itemCount + 1];
        for (float y : w.y()) {
            labels[(int) y]++;
        }
        return new OutputItems(java.util.stream.IntStream.rangeClosed(1, itemCount).filter(i -> labels[i] >= minCount).toArray());
    }

    /** V + 1: the width of the model's output, class 0 included. */
    public int classes() {
        return items.length + 1;
    }

    /** The class 1..V of an item, or -1 when the model does not score it. */
    public int classOf(int item) {
        int i = Arrays.binarySearch(items, item);
        return i < 0 ? -1 : i + 1;
    }

    public int item(int outputClass) {
        return items[outputClass - 1];
    }

    /** The windows whose label the model scores, with the label as its class; inputs stay items. */
    public Windows relabel(Windows w) {
        int len = w.window();
        int kept = 0;
        for (int y : w.y()) {
            kept += classOf(y) > 0 ? 1 : 0;
        }
        int[] x = new int[kept * len];
        int[] y = new int[kept];
        int row = 0;
        for (int r = 0; r < w.size(); r++) {
            int c = classOf(w.y()[r]);
            if (c > 0) {
                System.arraycopy(w.x(), r * len, x, row * len, len);
                y[row++] = c;
            }
        }
        return new Windows(x, y, len);
    }

    /**
     * One row of the model's scores over classes as scores over items 0..itemCount, for
     * {@link RankingMetrics}: the class's score for an item the model scores, negative infinity for
     * the others (padding included).
     */
    public float[] itemScores(float[] classScores, int offset, int itemCount) {
        float[] s = new float[itemCount + 1];
        Arrays.fill(s, Float.NEGATIVE_INFINITY);
        for (int c = 1; c <= items.length; c++) {
            s[items[c - 1]] = classScores[offset + c];
        }
        return s;
    }
}
