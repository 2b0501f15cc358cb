package dev.isthmus.samples;

import dev.isthmus.nn.data.Tokenizer;
import dev.isthmus.nn.explain.Attributions;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.samples.data.FashionMnist;
import dev.isthmus.samples.image.ImageSample;
import dev.isthmus.samples.text.TextFeatures;
import dev.isthmus.samples.text.TextSample;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./isthmus explain image FILE} and {@code ./isthmus explain text "a sentence"}: integrated
 * gradients (64 steps, from an all-black image or all-zero embeddings) of the trained sample
 * model's predicted class, as a heatmap over the image or an attribution per word.
 */
final class Explanations {
    /** Integration steps: completeness within about 1% on these models (see AttributionsTest). */
    static final int STEPS = 64;
    /** The heatmap's pixels per input pixel. */
    private static final int ZOOM = 8;

    private Explanations() {
    }

    /** Writes out/image/explain.png: the 28x28 input in grey, red where the attribution to the predicted class is positive, blue where negative. */
    static Path image(TrainOptions o, Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no image file at " + file.toAbsolutePath());
        }
        try (Sequential model = Training.loadTrained(o, "image"); Scope ignored = Scope.open("explain image")) {
            Tensor x = ImageSample.prepare(file).reshape(1, 28, 28, 1);
            float[] p = model.predict(x).toArray();
            int best = 0;
            for (int k = 1; k < p.length; k++) {
                best = p[k] > p[best] ? k : best;
            }
            float[] a = Attributions.integratedGradients(model, x, null, best, STEPS).toArray();
            float[] pixels = x.toArray();
            float max = 1e-12f;
            for (float v : a) {
                max = Math.max(max, Math.abs(v));
            }
            BufferedImage out = new BufferedImage(28 * ZOOM, 28 * ZOOM, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 28 * ZOOM; y++) {
                for (int xx = 0; xx < 28 * ZOOM; xx++) {
                    int i = (y / ZOOM) * 28 + xx / ZOOM;
                    float grey = 0.5f * pixels[i];
                    float heat = a[i] / max;
                    float r = Math.min(1f, grey + Math.max(0f, heat));
                    float g = grey * (1 - Math.abs(heat));
                    float b = Math.min(1f, grey + Math.max(0f, -heat));
                    out.setRGB(xx, y, (int) (r * 255) << 16 | (int) (g * 255) << 8 | (int) (b * 255));
                }
            }
            Path target = o.out().resolve("explain.png");
            Files.createDirectories(o.out());
            javax.imageio.ImageIO.write(out, "png", target.toFile());
            o.console().printf(Locale.ROOT, "%s: %s %.3f; attributions (integrated gradients, %d steps) in %s%n",
                    file, FashionMnist.CLASS_NAMES.get(best), p[best], STEPS, target);
            return target;
        }
    }

    /** Prints each word of {@code sentence} with its attribution to the predicted sentiment (coloured on a terminal). */
    static void text(TrainOptions o, String sentence, boolean colour) throws IOException {
        if (sentence == null || sentence.isBlank()) {
            throw new IllegalArgumentException("expected a sentence to explain, such as \"The food was great\"");
        }
        Tokenizer tokenizer = TextSample.trainedTokenizer(o);
        List<String> words = tokenizer.tokenize(sentence);
        int[] ids = tokenizer.textsToSequences(List.of(sentence)).getFirst();
        if (ids.length == 0) {
            throw new IllegalArgumentException("\"" + sentence + "\" has no words the model knows");
        }
        try (Sequential model = Training.loadTrained(o, "text"); Scope ignored = Scope.open("explain text")) {
            Tensor x = TextFeatures.features(tokenizer, List.of(sentence));
            float[] p = model.predict(x).toArray();
            int best = p[1] > p[0] ? 1 : 0;
            float[] a = Attributions.tokenAttributions(model, x, best, STEPS).toArray();
            // features keep the last MAX_LEN ids, from position 0, padded after them
            int kept = Math.min(ids.length, TextFeatures.MAX_LEN);
            int first = ids.length - kept;
            o.console().printf(Locale.ROOT, "%s %.3f; each word's attribution (integrated gradients, %d steps):%n",
                    best == 1 ? "positive" : "negative", p[best], STEPS);
            StringBuilder line = new StringBuilder();
            for (int t = 0; t < kept; t++) {
                String word = words.size() == ids.length ? words.get(first + t) : "#" + ids[first + t];
                float v = a[t];
                String shown = String.format(Locale.ROOT, "%s(%+.3f)", word, v);
                if (colour) {
                    // green for the predicted class, red against it
                    shown = (v >= 0 ? "\u001b[32m" : "\u001b[31m") + shown + "\u001b[0m";
                }
                line.append(t == 0 ? "" : " ").append(shown);
            }
            o.console().println(line);
        }
    }
}
