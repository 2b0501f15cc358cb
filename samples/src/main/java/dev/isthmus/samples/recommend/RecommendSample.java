package dev.isthmus.samples.recommend;

import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Dropout;
import dev.isthmus.nn.layers.Embedding;
import dev.isthmus.nn.layers.LSTM;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.metrics.Metric;
import dev.isthmus.nn.metrics.Metrics;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.samples.BestEpochTraining;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The recommender sample: next-movie prediction from a user's MovieLens history (ml-latest-small).
 *
 * <p>Data ({@link UserHistories}): each user's ratings in time order (ties by movie id), movie ids
 * remapped to items 1..M with 0 as padding; each user's last item is the test target and the one
 * before it the validation target (leave-one-out); the training examples are every next-item
 * prediction inside the rest of each history, each from a window of the last up to
 * {@value #WINDOW} items (left-padded; the LSTM skips the padding through the embedding's mask),
 * shuffled with the seed and capped at {@value #MAX_WINDOWS} (about 98k exist; a quick run keeps
 * {@value #QUICK_WINDOWS}). The model predicts the items that label at least
 * {@value #MIN_LABEL_COUNT} training windows ({@link OutputItems}: about half of them, which
 * halves the cost of the softmax); the windows labelled with rarer items are left out.
 *
 * <p>Model: {@code Embedding(M+1, }{@value #EMBEDDING}{@code , maskZero)} → {@code LSTM(}{@value #UNITS}
 * {@code )} → {@code Dropout(0.3)} → {@code Dense(V+1, softmax)} over the V output items,
 * sparse categorical cross-entropy, Adam with batch {@value #DEFAULT_BATCH} at learning rate
 * {@value #LEARNING_RATE} for {@code DECAY_EPOCH - 1} epochs, then {@value #DECAY} times that
 * ({@link BestEpochTraining}): after every epoch the validation HR@10 is measured, training stops
 * when {@value #PATIENCE} epochs in a row have not beaten the best (at most {@value #MAX_EPOCHS}),
 * and the best epoch's weights are the ones kept. {@value #MEMBERS} such models are trained from
 * different seeds (the run's seed for the first, {@link #memberSeed derived} ones for the others)
 * and their predicted probabilities averaged: the ensemble is what is tested, saved (one model
 * file per member, listed in {@code items.json}) and used by {@code predict}. A quick run trains
 * one.
 *
 * <p>Evaluation ({@link RankingMetrics}): HR@10 and NDCG@10 over all users, the test target ranked
 * among all items not already in the user's input history (items the model does not predict come
 * last), beside a most-popular baseline (item counts over every history without its test target)
 * ranked by exactly the same rules. Target: the model's HR@10 at least twice the baseline's.
 */
public final class RecommendSample implements Sample {
    /** Items of history the model reads. */
    public static final int WINDOW = 10;
    public static final int EMBEDDING = 64;
    public static final int UNITS = 64;
    /** Epochs at most; training stops earlier once {@value #PATIENCE} epochs in a row miss the best validation HR@10. */
    public static final int MAX_EPOCHS = 8;
    public static final int PATIENCE = 2;
    public static final int QUICK_EPOCHS = 1;
    /** The learning rate is {@value #LEARNING_RATE} for the first epochs, then {@value #DECAY} times that from this epoch on. */
    public static final int DECAY_EPOCH = 4;
    public static final float LEARNING_RATE = 0.01f;
    public static final float DECAY = 0.2f;
    /** Training windows kept (randomly, with the run's seed) in a full run. */
    public static final int MAX_WINDOWS = 100_000;
    public static final int QUICK_WINDOWS = 1_024;
    /** An item is an output class when it labels at least this many training windows. */
    public static final int MIN_LABEL_COUNT = 3;
    public static final int DEFAULT_BATCH = 256;
    public static final float DROPOUT = 0.3f;
    public static final int K = 10;
    /** Models trained from different seeds whose predicted probabilities are averaged (one in a quick run). */
    public static final int MEMBERS = 3;
    /** The model's HR@K must be at least this multiple of the popularity baseline's. */
    public static final double TARGET_RATIO = 2.0;
    static final String ITEMS_FILE = "items.json";

    /** What predict needs beside the model: the item → movie id mapping, the window length and the items it scores. */
    record ItemFile(int window, int[] movieIds, int[] outputItems, int members) {
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

        Windows all = UserHistories.windows(encoded.values(), WINDOW);
        Windows sampled = UserHistories.subsample(all, o.quick() ? QUICK_WINDOWS : MAX_WINDOWS, o.seed());
        OutputItems output = OutputItems.of(sampled, items, MIN_LABEL_COUNT);
        Windows train = output.relabel(sampled);
        Cases validation = UserHistories.validationCases(encoded);
        Cases test = UserHistories.testCases(encoded);
        o.console().printf(Locale.ROOT, "MovieLens: %d ratings, %d users, %d items; %d training windows of up to %d items;"
                        + " %d items label %d or more of them and are the model's outputs (%d windows used);"
                        + " %d validation users (second-to-last item), %d test users (last item)%n",
                data.ratings().size(), encoded.size(), items, all.size(), WINDOW, output.classes() - 1, MIN_LABEL_COUNT,
                train.size(), validation.size(), test.size());
        if (o.resume()) {
            o.console().println("recommend: --resume is not supported (training keeps its best epoch in memory); training from the start");
        }

        Files.createDirectories(o.out());
        Outputs.writeJson(o.out().resolve(ITEMS_FILE), new ItemFile(WINDOW, index.movieIds(), output.items(), o.quick() ? 1 : MEMBERS));

        Tensor x = Tensor.of(train.x(), train.size(), WINDOW);
        Tensor y = Tensor.of(train.y(), train.size());
        int members = o.quick() ? 1 : MEMBERS;
        int classes = output.classes();
        float[] validationSum = new float[validation.size() * classes];
        float[] testSum = new float[test.size() * classes];
        Map<String, List<Double>> curve = new LinkedHashMap<>();
        double[] memberValidation = new double[members];
        double[] memberTest = new double[members];
        int epochsRun = 0;
        double seconds = 0;
        for (int k = 0; k < members; k++) {
            long seed = memberSeed(o.seed(), k);
            var plan = new BestEpochTraining.Plan(o.epochsOr(MAX_EPOCHS, QUICK_EPOCHS), PATIENCE, o.batchSizeOr(DEFAULT_BATCH),
                    seed, RecommendSample::learningRate);
            if (members > 1) {
                o.console().printf(Locale.ROOT, "member %d/%d (seed %d)%n", k + 1, members, seed);
            }
            try (Sequential model = newModel(items + 1, classes, seed)) {
                BestEpochTraining.Outcome outcome = BestEpochTraining.train(model, Adam::new, Losses.sparseCategoricalCrossentropy(),
                        new Metric[] {Metrics.ACCURACY}, x, y, plan, "val_hr_at_10",
                        m -> RankingMetrics.Result.of(ranks(scores(m, validation, classes), validation, output, items), K).hitRate(), o.console());
                model.save(o.out().resolve(memberFile(k)));
                String prefix = members > 1 ? "member" + (k + 1) + "_" : "";
                outcome.curve().forEach((name, values) -> curve.put(prefix + name, values));
                float[] v = scores(model, validation, classes);
                float[] t = scores(model, test, classes);
                memberValidation[k] = RankingMetrics.Result.of(ranks(v, validation, output, items), K).hitRate();
                memberTest[k] = RankingMetrics.Result.of(ranks(t, test, output, items), K).hitRate();
                add(validationSum, v);
                add(testSum, t);
                epochsRun += outcome.epochsRun();
                seconds += outcome.secondsPerEpoch() * outcome.epochsRun();
                if (members > 1) {
                    o.console().printf(Locale.ROOT, "member %d: best epoch %d of %d, validation HR@%d %.4f, test HR@%d %.4f%n",
                            k + 1, outcome.bestEpoch(), outcome.epochsRun(), K, memberValidation[k], K, memberTest[k]);
                }
            }
        }
        Outputs.learningCurve(o.out().resolve(Training.CURVE_FILE), "recommend (MovieLens next item, LSTM)", curve);
        double validationHr = RankingMetrics.Result.of(ranks(validationSum, validation, output, items), K).hitRate();
        int[] modelRanks = ranks(testSum, test, output, items);
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
        metrics.put("validation_hr_at_10", validationHr);
        metrics.put("members", (double) members);
        for (int k = 0; k < members && members > 1; k++) {
            metrics.put("member" + (k + 1) + "_validation_hr_at_10", memberValidation[k]);
            metrics.put("member" + (k + 1) + "_hr_at_10", memberTest[k]);
        }
        metrics.put("epochs_run", (double) epochsRun);
        metrics.put("seconds_per_epoch", seconds / epochsRun);
        String summary = String.format(Locale.ROOT, "HR@10 %.3f (>= %.0fx popularity %.3f), NDCG@10 %.3f (popularity %.3f)",
                m.hitRate(), TARGET_RATIO, b.hitRate(), m.ndcg(), b.ndcg());
        o.console().println(summary);
        return new SampleResult(name(), metrics, met, summary, (System.nanoTime() - t0) / 1e9);
    }

    static double learningRate(int epoch) {
        return epoch < DECAY_EPOCH ? LEARNING_RATE : LEARNING_RATE * DECAY;
    }

    public static Sequential newModel(int inputs, int classes, long seed) {
        return new Sequential(new Embedding(inputs, EMBEDDING, true), new LSTM(UNITS), new Dropout(DROPOUT),
                new Dense(classes, Activation.SOFTMAX)).seed(seed);
    }

    /** The seed of ensemble member {@code k}: the run's own seed for the first, derived ones for the others. */
    static long memberSeed(long seed, int k) {
        return k == 0 ? seed : seed * 7_919L + 104_729L * k;
    }

    /** Member k's model file: the usual model file for the first, {@code model-<k+1>.safetensors} for the others. */
    static String memberFile(int k) {
        return k == 0 ? Training.MODEL_FILE : "model-" + (k + 1) + ".safetensors";
    }

    private static void add(float[] sum, float[] values) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += values[i];
        }
    }

    /** The model's class probabilities for every case, [cases, classes] row-major. */
    static float[] scores(Sequential model, Cases cases, int classes) {
        int batch = 128;
        float[] out = new float[cases.size() * classes];
        for (int from = 0; from < cases.size(); from += batch) {
            int to = Math.min(cases.size(), from + batch);
            try (Scope ignored = Scope.open("recommend ranking")) {
                int[][] inputs = java.util.Arrays.copyOfRange(cases.inputs(), from, to);
                float[] s = model.predict(Tensor.of(UserHistories.inputs(inputs, WINDOW), to - from, WINDOW), batch).toArray();
                System.arraycopy(s, 0, out, from * classes, s.length);
            }
        }
        return out;
    }

    /** Each case's 0-based rank of its target under the class scores (seen items excluded). */
    static int[] ranks(float[] scores, Cases cases, OutputItems output, int items) {
        int[] ranks = new int[cases.size()];
        int classes = output.classes();
        for (int u = 0; u < cases.size(); u++) {
            ranks[u] = RankingMetrics.rank(output.itemScores(scores, u * classes, items), cases.targets()[u],
                    UserHistories.seen(cases.inputs()[u], items));
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
        if (file.outputItems() == null) {
            throw new IllegalStateException(itemsFile + " lists no output items (an older format); run `train recommend` again");
        }
        ItemIndex index = new ItemIndex(file.movieIds());
        OutputItems output = new OutputItems(file.outputItems());
        int[] encoded = index.encode(history);
        int items = index.size();
        int members = Math.max(1, file.members());
        float[] classScores = new float[output.classes()];
        for (int k = 0; k < members; k++) {
            Path modelFile = o.out().resolve(memberFile(k));
            if (!Files.exists(modelFile)) {
                throw new IllegalStateException(itemsFile + " names " + members + " models but " + modelFile
                        + " is missing; run `train recommend` again (with the same --out)");
            }
            try (Sequential model = Sequential.load(modelFile); Scope ignored = Scope.open("recommend predict")) {
                float[] s = model.predict(Tensor.of(UserHistories.inputs(new int[][] {encoded}, file.window()), 1, file.window()))
                        .toArray();
                if (s.length != output.classes()) {
                    throw new IllegalStateException("the saved model " + modelFile + " scores " + s.length + " classes but "
                            + itemsFile + " maps " + output.classes() + "; train again");
                }
                add(classScores, s);
            }
        }
        for (int c = 0; c < classScores.length; c++) {
            classScores[c] /= members;
        }
        float[] scores = output.itemScores(classScores, 0, items);
        int[] top = RankingMetrics.topK(scores, 0, items + 1, UserHistories.seen(encoded, items), K);
        o.console().printf(Locale.ROOT, "user %d has rated %d movies; the last ones, oldest first:%n", user, history.length);
        for (int i = Math.max(0, history.length - 5); i < history.length; i++) {
            o.console().println("  " + describe(data, history[i]));
        }
        o.console().printf(Locale.ROOT, "top %d recommendations (not yet rated):%n", top.length);
        for (int r = 0; r < top.length; r++) {
            o.console().printf(Locale.ROOT, "  %2d. %s  (score %.4f)%n", r + 1, describe(data, index.movieId(top[r])), scores[top[r]]);
        }
    }

    private static String describe(MovieLens data, int movieId) {
        String title = data.titles().getOrDefault(movieId, "movie " + movieId);
        String genres = data.genres().get(movieId);
        return genres == null ? title : title + " [" + genres + "]";
    }
}
