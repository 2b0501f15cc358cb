package dev.isthmus.samples.gpt;

import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Add;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Input;
import dev.isthmus.nn.layers.LayerNormalization;
import dev.isthmus.nn.layers.MultiHeadAttention;
import dev.isthmus.nn.layers.SymbolicTensor;
import dev.isthmus.nn.layers.TokenAndPositionEmbedding;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.model.Fit;
import dev.isthmus.nn.model.History;
import dev.isthmus.nn.model.Model;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.samples.Outputs;
import dev.isthmus.samples.Sample;
import dev.isthmus.samples.SampleResult;
import dev.isthmus.samples.TrainOptions;
import dev.isthmus.samples.Training;
import dev.isthmus.samples.data.Fortunes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The sixth sample: a small GPT, a decoder-only Transformer trained character by character on
 * Debian's fortune cookies ({@link Fortunes}). Token + learned position embeddings, {@value #BLOCKS}
 * pre-norm blocks of causal multi-head self-attention ({@value #HEADS} heads) and an MLP
 * ({@value #WIDTH} → 4·{@value #WIDTH} → {@value #WIDTH}, ReLU; {@code --size N} scales width, depth and heads by N), each with its residual connection, a
 * final LayerNormalization and the logits over the characters from the token table itself (the
 * output tied to the input embedding, as GPT-2's). The fortunes are shuffled with the data seed and 10% held out; the
 * model's validation loss in bits per character is set against a unigram and a bigram model
 * counted on the training text (add-one smoothing) and scored on the same held-out positions.
 */
public final class GptSample implements Sample {
    static final String VOCABULARY_FILE = "characters.json";
    public static final int CONTEXT = 64;
    static final int WIDTH = 64;
    static final int HEADS = 4;
    static final int BLOCKS = 2;
    static final int BATCH_SIZE = 64;
    /** The quick run's batches: smaller, so that its few windows give more updates. */
    static final int QUICK_BATCH_SIZE = 16;
    static final int DEFAULT_EPOCHS = 4;
    static final int QUICK_EPOCHS = 2;
    static final int QUICK_WINDOWS = 4000;
    static final float LEARNING_RATE = 0.003f;
    static final double VALIDATION_FRACTION = 0.1;
    static final String PROMPT = "The meaning of life is ";
    static final float TEMPERATURE = 0.8f;
    static final int TOP_K = 10;
    static final int SAMPLED = 240;

    @Override
    public String name() {
        return "gpt";
    }

    /** The model: ids [n, CONTEXT] → logits [n, CONTEXT, vocabulary] of each next character. */
    static Model newModel(int vocabulary, long seed) {
        return newModel(vocabulary, seed, 1);
    }

    /** The model at {@code size}: width WIDTH·size, BLOCKS·size blocks, HEADS·size heads of WIDTH / HEADS. */
    public static Model newModel(int vocabulary, long seed, int size) {
        int width = WIDTH * size;
        int heads = HEADS * size;
        SymbolicTensor in = Input.of(CONTEXT);
        TokenAndPositionEmbedding embedding = new TokenAndPositionEmbedding(vocabulary, CONTEXT, width);
        SymbolicTensor h = embedding.apply(in);
        for (int b = 0; b < BLOCKS * size; b++) {
            SymbolicTensor attended = new MultiHeadAttention(heads, width / heads, true).apply(new LayerNormalization().apply(h));
            h = new Add().apply(h, attended);
            SymbolicTensor hidden = new Dense(4 * width, Activation.RELU).apply(new LayerNormalization().apply(h));
            h = new Add().apply(h, new Dense(width).apply(hidden));
        }
        // the output tied to the token table: logits = h · token_embeddingsᵀ
        SymbolicTensor logits = embedding.apply(new LayerNormalization().apply(h));
        return new Model("gpt", List.of(in), List.of(logits), seed);
    }

    @Override
    public SampleResult train(TrainOptions o) throws Exception {
        long t0 = System.nanoTime();
        List<String> fortunes = new ArrayList<>(Fortunes.load(o.cache()));
        Collections.shuffle(fortunes, new java.util.Random(o.dataSeed()));
        int held = (int) Math.round(fortunes.size() * VALIDATION_FRACTION);
        String validationText = String.join("\n\n", fortunes.subList(0, held)) + "\n\n";
        String trainText = String.join("\n\n", fortunes.subList(held, fortunes.size())) + "\n\n";
        Characters chars = Characters.of(trainText);
        int[] train = chars.encode(trainText);
        int[] validation = chars.encode(validationText);
        Tensor[] trainWindows = windows(train, o.quick() ? QUICK_WINDOWS : Integer.MAX_VALUE);
        Tensor[] validationWindows = windows(validation, o.quick() ? QUICK_WINDOWS / 5 : Integer.MAX_VALUE);
        int vocabulary = chars.size();
        o.console().printf(Locale.ROOT, "%d fortunes (%d held out): %,d training and %,d validation characters, %d distinct"
                        + " (+ unknown); %d training windows of %d%n", fortunes.size(), held, train.length, validation.length,
                vocabulary - 1, trainWindows[0].size(0), CONTEXT);

        double[] baselines = Baselines.bitsPerCharacter(train, validationWindows[0], validationWindows[1], vocabulary);
        Files.createDirectories(o.out());
        chars.save(o.out().resolve(VOCABULARY_FILE));
        int epochs = o.epochsOr(DEFAULT_EPOCHS, QUICK_EPOCHS);
        History history;
        double bits;
        String sample;
        long fitStart = System.nanoTime();
        if (o.size() > 1) {
            o.console().printf(Locale.ROOT, "size %d: width %d, %d blocks, %d heads%n", o.size(), WIDTH * o.size(),
                    BLOCKS * o.size(), HEADS * o.size());
        }
        try (Model model = newModel(vocabulary, o.seed(), o.size())) {
            model.compile(new Adam(LEARNING_RATE), Losses.sparseCategoricalCrossentropy(true));
            Fit fit = Fit.epochs(epochs).batchSize(o.batchSizeOr(o.quick() ? QUICK_BATCH_SIZE : BATCH_SIZE)).seed(o.seed())
                    .validationData(validationWindows[0], validationWindows[1]);
            if (o.quick()) {
                fit.verbose(0);
            }
            history = model.fit(trainWindows[0], trainWindows[1], fit);
            bits = model.evaluate(validationWindows[0], validationWindows[1], 256).get("loss") / Math.log(2);
            model.save(o.out().resolve(Training.MODEL_FILE));
            sample = Generation.continueText(model, chars, PROMPT, SAMPLED, TEMPERATURE, TOP_K, o.seed());
        }
        double fitSeconds = (System.nanoTime() - fitStart) / 1e9;
        Map<String, List<Double>> curve = new LinkedHashMap<>();
        curve.put("loss", history.get("loss"));
        curve.put("val_loss", history.get("val_loss"));
        Outputs.learningCurve(o.out().resolve(Training.CURVE_FILE), "gpt (fortunes, characters)", curve);
        o.console().printf(Locale.ROOT, "validation: %.3f bits per character; unigram %.3f, bigram %.3f (same positions)%n",
                bits, baselines[0], baselines[1]);
        o.console().printf(Locale.ROOT, "sampled (temperature %.1f, top-%d) after \"%s\":%n%s%s%n", TEMPERATURE, TOP_K,
                PROMPT, PROMPT, sample);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("val_bits_per_char", bits);
        metrics.put("unigram_bits_per_char", baselines[0]);
        metrics.put("bigram_bits_per_char", baselines[1]);
        metrics.put("epochs", (double) history.epochs());
        metrics.put("seconds_per_epoch", fitSeconds / Math.max(1, history.epochs()));
        boolean met = bits < baselines[1];
        String summary = String.format(Locale.ROOT, "validation %.3f bits/char (bigram %.3f, unigram %.3f) after %d epochs",
                bits, baselines[1], baselines[0], history.epochs());
        o.console().println(summary);
        return new SampleResult(name(), metrics, met, summary, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Non-overlapping windows of the text: inputs [n, CONTEXT] (int32 ids) and, shifted by one,
     * the next characters [n, CONTEXT]; at most {@code limit} windows.
     */
    static Tensor[] windows(int[] ids, int limit) {
        int n = Math.min(limit, (ids.length - 1) / CONTEXT);
        int[] x = new int[n * CONTEXT];
        float[] y = new float[n * CONTEXT];
        for (int w = 0; w < n; w++) {
            for (int t = 0; t < CONTEXT; t++) {
                x[w * CONTEXT + t] = ids[w * CONTEXT + t];
                y[w * CONTEXT + t] = ids[w * CONTEXT + t + 1];
            }
        }
        return new Tensor[] {Tensor.of(Device.CPU, x, n, CONTEXT), Tensor.of(y, n, CONTEXT)};
    }

    @Override
    public void predict(TrainOptions o, String input) throws Exception {
        if (input == null || input.isEmpty()) {
            throw new IllegalArgumentException("expected a prompt to continue, such as \"In the beginning\", got an empty one");
        }
        Path vocabularyFile = o.out().resolve(VOCABULARY_FILE);
        Path modelFile = o.out().resolve(Training.MODEL_FILE);
        if (!Files.exists(vocabularyFile) || !Files.exists(modelFile)) {
            throw new IllegalStateException("no trained gpt model in " + o.out() + "; run `train gpt` first (with the same --out)");
        }
        Characters chars = Characters.load(vocabularyFile);
        try (Model model = Model.load(modelFile)) {
            String text = Generation.continueText(model, chars, input, SAMPLED, TEMPERATURE, TOP_K, o.seed());
            o.console().println(input + text);
        }
    }

    /** A fresh random stream for sampling. */
    static SplittableRandom random(long seed) {
        return new SplittableRandom(seed ^ 0x6A09E667F3BCC909L);
    }
}
