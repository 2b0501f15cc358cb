package dev.isthmus.samples.text;

import dev.isthmus.nn.data.Tokenizer;
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
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.samples.Sample;
import dev.isthmus.samples.SampleResult;
import dev.isthmus.samples.TrainOptions;
import dev.isthmus.samples.Training;
import dev.isthmus.samples.data.SentimentSentences;
import dev.isthmus.samples.data.SentimentSentences.Sentence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The text sample: sentiment of single review sentences (IMDb, Yelp, Amazon; 3,000 balanced) with
 * {@code Embedding(maskZero) → LSTM(64) → Dense(2, softmax)}. The tokenizer is fitted on the 80%
 * training split only and saved beside the model, so {@code predict text "a sentence"} maps words
 * to the ids the model was trained on.
 */
public final class TextSample implements Sample {
    static final String TOKENIZER_FILE = "tokenizer.txt";
    static final double TEST_FRACTION = 0.2;
    static final double TARGET_ACCURACY = 0.78;
    static final int EMBEDDING_DIM = 32;
    static final int LSTM_UNITS = 64;
    static final float DROPOUT = 0.5f;
    static final float LEARNING_RATE = 0.001f;
    static final int NUM_WORDS = 0;
    static final int DEFAULT_EPOCHS = 6;
    static final int QUICK_EPOCHS = 1;
    static final int BATCH_SIZE = 16;
    static final double VALIDATION_SPLIT = 0.1;
    /** Slices of the quick run. */
    static final int QUICK_TRAIN = 480;
    static final int QUICK_TEST = 200;

    private static final String[] CLASSES = {"negative", "positive"};

    @Override
    public String name() {
        return "text";
    }

    public static Sequential newModel(int vocabularySize, long seed) {
        return new Sequential(
                new Embedding(vocabularySize, EMBEDDING_DIM, true),
                new Dropout(DROPOUT),
                new LSTM(LSTM_UNITS),
                new Dense(2, Activation.SOFTMAX)).seed(seed);
    }

    @Override
    public SampleResult train(TrainOptions o) throws Exception {
        long t0 = System.nanoTime();
        List<Sentence> all = SentimentSentences.load(o.cache());
        TextFeatures.Split split = TextFeatures.split(all, TEST_FRACTION, o.dataSeed());
        List<Sentence> train = split.train();
        List<Sentence> test = split.test();
        if (o.quick()) {
            train = train.subList(0, Math.min(QUICK_TRAIN, train.size()));
            test = test.subList(0, Math.min(QUICK_TEST, test.size()));
        }
        Tokenizer tokenizer = TextFeatures.fitTokenizer(train, NUM_WORDS);
        int vocab = tokenizer.vocabularySize();
        Tensor xTrain = TextFeatures.features(tokenizer, TextFeatures.texts(train));
        Tensor yTrain = TextFeatures.labels(train);
        Tensor xTest = TextFeatures.features(tokenizer, TextFeatures.texts(test));
        Tensor yTest = TextFeatures.labels(test);
        o.console().printf(Locale.ROOT, "%d training sentences (the last %.0f%% held out for validation), %d test sentences;"
                + " vocabulary %d words (+ padding), %d words a sentence%n",
                train.size(), VALIDATION_SPLIT * 100, test.size(), vocab - 1, TextFeatures.MAX_LEN);

        Files.createDirectories(o.out());
        tokenizer.save(o.out().resolve(TOKENIZER_FILE));
        int epochs = o.epochsOr(DEFAULT_EPOCHS, QUICK_EPOCHS);
        Fit fit = Fit.epochs(epochs).batchSize(o.batchSizeOr(BATCH_SIZE)).validationSplit(VALIDATION_SPLIT).seed(o.seed());
        if (o.quick()) {
            fit.verbose(0);
        }
        var trained = Training.fit(o, "text (sentiment sentences)", () -> newModel(vocab, o.seed()),
                () -> new Adam(LEARNING_RATE), Losses.sparseCategoricalCrossentropy(), new Metric[] {Metrics.ACCURACY},
                xTrain, yTrain, fit);
        Map<String, Double> scores;
        try (Sequential model = trained.model()) {
            scores = model.evaluate(xTest, yTest, 128);
        }
        double accuracy = scores.get("accuracy");
        double loss = scores.get("loss");
        o.console().printf(Locale.ROOT, "test: loss %.4f, accuracy %.4f (%d sentences)%n", loss, accuracy, test.size());

        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("test_accuracy", accuracy);
        metrics.put("test_loss", loss);
        metrics.put("train_accuracy", trained.history().last("accuracy"));
        metrics.put("val_accuracy", trained.history().last("val_accuracy"));
        metrics.put("epochs", (double) trained.history().epochs());
        metrics.put("seconds_per_epoch", trained.secondsPerEpoch());
        boolean met = accuracy >= TARGET_ACCURACY;
        String summary = String.format(Locale.ROOT, "sentiment test accuracy %.3f (>= %.2f) on %d sentences after %d epochs",
                accuracy, TARGET_ACCURACY, test.size(), trained.history().epochs());
        o.console().println(summary);
        return new SampleResult(name(), metrics, met, summary, (System.nanoTime() - t0) / 1e9);
    }

    @Override
    public void predict(TrainOptions o, String input) throws Exception {
        if (input == null || input.isBlank()) {
            throw new IllegalArgumentException("expected a sentence to classify, such as \"The food was great\", got an empty one");
        }
        Tokenizer tokenizer = trainedTokenizer(o);
        List<String> words = tokenizer.tokenize(input);
        if (words.isEmpty()) {
            throw new IllegalArgumentException("\"" + input + "\" has no words (only punctuation or spaces)");
        }
        long known = words.stream().filter(w -> isKnown(tokenizer, w)).count();
        if (known == 0) {
            throw new IllegalArgumentException("none of the words of \"" + input + "\" occur in the training sentences, so the"
                    + " model cannot judge it; try English review language such as \"the service was slow\"");
        }
        try (Sequential model = Training.loadTrained(o, name())) {
            float[] p = model.predict(TextFeatures.features(tokenizer, List.of(input))).toArray();
            int best = p[1] > p[0] ? 1 : 0;
            o.console().printf(Locale.ROOT, "%s: %s %.3f, %s %.3f -> %s%n", quote(input), CLASSES[0], p[0], CLASSES[1], p[1],
                    CLASSES[best]);
            if (known < words.size()) {
                o.console().printf(Locale.ROOT, "(%d of %d words were not in the training vocabulary)%n",
                        words.size() - known, words.size());
            }
            if (words.size() > TextFeatures.MAX_LEN) {
                o.console().printf(Locale.ROOT, "(only the last %d of %d words were read)%n", TextFeatures.MAX_LEN, words.size());
            }
        }
    }

    /** The tokenizer {@code train text} saved beside the model in the sample's output folder. */
    public static Tokenizer trainedTokenizer(TrainOptions o) throws java.io.IOException {
        Path tokenizerFile = o.out().resolve(TOKENIZER_FILE);
        if (!Files.exists(tokenizerFile)) {
            throw new IllegalStateException("no tokenizer at " + tokenizerFile + "; run `train text` first (with the same --out)");
        }
        return Tokenizer.load(tokenizerFile);
    }

    private static boolean isKnown(Tokenizer t, String word) {
        Integer i = t.wordIndex().get(word);
        return i != null && !word.equals(t.oovToken()) && (t.numWords() == 0 || i < t.numWords());
    }

    private static String quote(String s) {
        String one = s.strip().replaceAll("\\s+", " ");
        return "\"" + (one.length() <= 60 ? one : one.substring(0, 57) + "...") + "\"";
    }
}
