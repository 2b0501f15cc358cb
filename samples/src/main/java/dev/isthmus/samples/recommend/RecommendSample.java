package dev.isthmus.samples.recommend;

import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Dropout;
import dev.isthmus.nn.layers.Embedding;
import dev.isthmus.nn.layers.LSTM;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.metrics.Metric;
import dev.isthmus.nn.metrics.Metrics;
import dev.isthmus.nn.model.Fit;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.samples.Outputs;
import dev.isthmus.samples.Sample;
import dev.isthmus.samples.SampleResult;
import dev.isthmus.samples.TrainOptions;
import dev.isthmus.samples.Training;
import dev.isthmus.samples.data.MovieLens;
import dev.isthmus.samples.recommend.UserHistories.Cases;
import dev.isthmus.samples.recommend.UserHistories.ItemIndex;
import dev.isthmus.samples.recommend.UserHistories.Windows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The recommender sample: next-movie prediction from a user's MovieLens history (ml-latest-small).
 *
 * <p>Data ({@link UserHistories}): each user's ratings in time order (ties by movie id), movie ids
 * remapped to items 1..M with 0 as padding; leave-last-out, so each user's last item is the test
 * target and the items before it the input; the training examples are every next-item prediction
 * inside the rest of each history, each from a window of the last up to {@value #WINDOW} items
 * (left-padded; the LSTM skips the padding through the embedding's mask), shuffled with the seed
 * and capped at {@value #MAX_WINDOWS} (about 98.7k exist; a quick run keeps {@value #QUICK_WINDOWS});
 * the last 5% of them ({@code VALIDATION_SPLIT}) are the validation data of the learning curve.
 *
 * <p>Model: {@code Embedding(M+1, }{@value #EMBEDDING}{@code , maskZero)} → {@code LSTM(}{@value #UNITS}
 * {@code )} → {@code Dropout(0.3)} → {@code Dense(M+1, softmax)} (class 0, padding, is never a
 * label), Adam (learning rate 0.01, batch {@value #DEFAULT_BATCH}), sparse categorical
 * cross-entropy, {@value #DEFAULT_EPOCHS} epochs.
 *
 * <p>Evaluation ({@link RankingMetrics}): HR@10 and NDCG@10 over all users, the test target ranked
 * among all items not already in the user's input history, beside a most-popular baseline (item
 * counts over every history without its test target) ranked by exactly the same rules. Target: the
 * model's HR@10 at least twice the baseline's.
 */
public final class RecommendSample implements Sample {
    /** Items of history the model reads. */
    public static final int WINDOW = 10;
    public static final int EMBEDDING = 64;
    public static final int UNITS = 64;
    /** Training windows kept (randomly, with the run's seed) in a full run. */
    public static final int MAX_WINDOWS = 100_000;
    public static final int QUICK_WINDOWS = 1_024;
    public static final int DEFAULT_EPOCHS = 5;
    public static final int QUICK_EPOCHS = 1;
    public static final int DEFAULT_BATCH = 256;
    public static final float LEARNING_RATE = 0.01f;
    public static final float DROPOUT = 0.3f;
    /** The share of the (shuffled) training windows held out as validation data. */
    public static final double VALIDATION_SPLIT = 0.05;
    public static final int K = 10;
    /** The model's HR@K must be at least this multiple of the popularity baseline's. */
    public static final double TARGET_RATIO = 2.0;
    static final String ITEMS_FILE = "items.json";

    /** What predict needs beside the model: the item → movie id mapping and the window length. */
    record ItemFile(int window, int[] movieIds) {
    }

    @Override
    public String name() {
        return "recommend";
    }

    @Override
    public SampleResult train(TrainOptions o) throws Exception {
        long t0 = System.nanoTime();
        MovieLens data = MovieLens.load(o.cache());
        Map<Integer, int[]> histories = UserHistories.byUser(data.ratings());
        ItemIndex index = ItemIndex.of(histories.values());
        Map<Integer, int[]> encoded = UserHistories.encode(histories, index);
        int items = index.size();
        int classes = items + 1;

        Windows all = UserHistories.windows(encoded.values(), WINDOW);
        Windows train = UserHistories.subsample(all, o.quick() ? QUICK_WINDOWS : MAX_WINDOWS, o.seed());
        Cases test = UserHistories.testCases(encoded);
        o.console().printf(Locale.ROOT, "MovieLens: %d ratings, %d users, %d items; %d training windows of up to %d items"
                        + " (%d used, %.0f%% of them for validation), %d test users (leave-last-out)%n",
                data.ratings().size(), encoded.size(), items, all.size(), WINDOW, train.size(), 100 * VALIDATION_SPLIT, test.size());

        Files.createDirectories(o.out());
        Outputs.writeJson(o.out().resolve(ITEMS_FILE), new ItemFile(WINDOW, index.movieIds()));

        Tensor x = Tensor.of(train.x(), train.size(), WINDOW);
        Tensor y = Tensor.of(train.y(), train.size());
        int epochs = o.epochsOr(DEFAULT_EPOCHS, QUICK_EPOCHS);
        var trained = Training.fit(o, "recommend (MovieLens next item, LSTM)",
                () -> newModel(classes, o.seed()), () -> new Adam(LEARNING_RATE),
                Losses.sparseCategoricalCrossentropy(), new Metric[] {Metrics.ACCURACY}, x, y,
                Fit.epochs(epochs).batchSize(o.batchSizeOr(DEFAULT_BATCH)).validationSplit(VALIDATION_SPLIT).seed(o.seed()));

        int[] modelRanks;
        try (Sequential model = trained.model()) {
            modelRanks = modelRanks(model, test, classes);
        }
        float[] popularity = UserHistories.popularity(encoded.values(), items);
        int[] baselineRanks = new int[test.size()];
        for (int u = 0; u < test.size(); u++) {
            baselineRanks[u] = RankingMetrics.rank(popularity, test.targets()[u], UserHistories.seen(test.inputs()[u], items));
        }
        RankingMetrics.Result m = RankingMetrics.Result.of(modelRanks, K);
        RankingMetrics.Result b = RankingMetrics.Result.of(baselineRanks, K);
        boolean met = m.hitRate() > 0 && m.hitRate() >= TARGET_RATIO * b.hitRate();

        o.console().printf(Locale.ROOT, "test (%d users, last item, seen items excluded): HR@%d %.4f  NDCG@%d %.4f%n",
                m.users(), K, m.hitRate(), K, m.ndcg());
        o.console().printf(Locale.ROOT, "most-popular baseline:                         HR@%d %.4f  NDCG@%d %.4f%n",
                K, b.hitRate(), K, b.ndcg());
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("hr_at_10", m.hitRate());
        metrics.put("ndcg_at_10", m.ndcg());
        metrics.put("popularity_hr_at_10", b.hitRate());
        metrics.put("popularity_ndcg_at_10", b.ndcg());
        metrics.put("test_users", (double) m.users());
        metrics.put("training_windows", (double) train.size());
        metrics.put("seconds_per_epoch", trained.secondsPerEpoch());
        String summary = String.format(Locale.ROOT, "HR@10 %.3f (>= %.0fx popularity %.3f), NDCG@10 %.3f (popularity %.3f)",
                m.hitRate(), TARGET_RATIO, b.hitRate(), m.ndcg(), b.ndcg());
        o.console().println(summary);
        return new SampleResult(name(), metrics, met, summary, (System.nanoTime() - t0) / 1e9);
    }

    static Sequential newModel(int classes, long seed) {
        return new Sequential(new Embedding(classes, EMBEDDING, true), new LSTM(UNITS), new Dropout(DROPOUT),
                new Dense(classes, Activation.SOFTMAX)).seed(seed);
    }

    /** Each test user's 0-based rank of its target under the model's scores (seen items excluded). */
    static int[] modelRanks(Sequential model, Cases cases, int classes) {
        int[] ranks = new int[cases.size()];
        int batch = 128;
        for (int from = 0; from < cases.size(); from += batch) {
            int to = Math.min(cases.size(), from + batch);
            try (Scope ignored = Scope.open("recommend ranking")) {
                int[][] inputs = java.util.Arrays.copyOfRange(cases.inputs(), from, to);
                float[] scores = model.predict(Tensor.of(UserHistories.inputs(inputs, WINDOW), to - from, WINDOW), batch).toArray();
                for (int u = from; u < to; u++) {
                    ranks[u] = RankingMetrics.rank(scores, (u - from) * classes, classes, cases.targets()[u],
                            UserHistories.seen(cases.inputs()[u], classes - 1));
                }
            }
        }
        return ranks;
    }

    @Override
    public void predict(TrainOptions o, String input) throws Exception {
        int user;
        try {
            user = Integer.parseInt(input.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a MovieLens user id (a whole number such as 42), got \"" + input + "\"");
        }
        Path itemsFile = o.out().resolve(ITEMS_FILE);
        if (!Files.exists(itemsFile)) {
            throw new IllegalStateException("no item mapping at " + itemsFile + "; run `train recommend` first (with the same --out)");
        }
        MovieLens data = MovieLens.load(o.cache());
        Map<Integer, int[]> histories = UserHistories.byUser(data.ratings());
        int[] history = histories.get(user);
        if (history == null) {
            throw new IllegalArgumentException("user " + user + " is not in MovieLens (user ids are "
                    + histories.keySet().iterator().next() + ".." + ((java.util.TreeMap<Integer, int[]>) histories).lastKey() + ")");
        }
        ItemFile file = Outputs.readJson(itemsFile, ItemFile.class);
        ItemIndex index = new ItemIndex(file.movieIds());
        int[] encoded = index.encode(history);
        int classes = index.size() + 1;
        try (Sequential model = Training.loadTrained(o, name()); Scope ignored = Scope.open("recommend predict")) {
            float[] scores = model.predict(Tensor.of(UserHistories.inputs(new int[][] {encoded}, file.window()), 1, file.window()))
                    .toArray();
            if (scores.length != classes) {
                throw new IllegalStateException("the saved model scores " + scores.length + " items but " + itemsFile
                        + " maps " + classes + "; train again");
            }
            int[] top = RankingMetrics.topK(scores, 0, classes, UserHistories.seen(encoded, classes - 1), K);
            o.console().printf(Locale.ROOT, "user %d has rated %d movies; the last ones, oldest first:%n", user, history.length);
            for (int i = Math.max(0, history.length - 5); i < history.length; i++) {
                o.console().println("  " + describe(data, history[i]));
            }
            o.console().printf(Locale.ROOT, "top %d recommendations (not yet rated):%n", top.length);
            for (int r = 0; r < top.length; r++) {
                o.console().printf(Locale.ROOT, "  %2d. %s  (score %.4f)%n", r + 1, describe(data, index.movieId(top[r])), scores[top[r]]);
            }
        }
    }

    private static String describe(MovieLens data, int movieId) {
        String title = data.titles().getOrDefault(movieId, "movie " + movieId);
        String genres = data.genres().get(movieId);
        return genres == null ? title : title + " [" + genres + "]";
    }
}
