package dev.isthmus.bench;

import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Conv2D;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Dropout;
import dev.isthmus.nn.layers.Embedding;
import dev.isthmus.nn.layers.Flatten;
import dev.isthmus.nn.layers.LSTM;
import dev.isthmus.nn.layers.MaxPooling2D;
import dev.isthmus.nn.losses.Loss;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Tensor;

import java.util.List;
import java.util.Locale;

/**
 * The five sample models as the benchmarks train them: the samples' architectures and input
 * shapes (text: 20 tokens of a 5,000-word vocabulary; image: 28×28 Fashion-MNIST; recommend:
 * 10 items of 9,000; speech: 101 frames × 27 mel bands), with every hidden width scaled by
 * {@code width} for the scaling curves. Inputs are synthetic, made on the device with fixed seeds.
 */
public final class Workloads {
    public static final List<String> MODELS = List.of("mlp", "text", "image", "recommend", "speech");
    /** The step suite's models: the five, and the GPT sample's Transformer (64 characters of context). */
    public static final List<String> STEP_MODELS = List.of("mlp", "text", "image", "recommend", "speech", "gpt");
    static final int GPT_VOCABULARY = 114;
    static final int GPT_CONTEXT = 64;
    static final int TEXT_VOCABULARY = 5000;
    static final int TEXT_LENGTH = 20;
    static final int ITEMS = 9000;
    static final int WINDOW = 10;
    static final int FRAMES = 101;
    static final int BANDS = 27;

    private Workloads() {
    }

    /** A model with its loss and one batch of inputs and labels on {@code device}. */
    public record Step(String model, Sequential network, Loss loss, Tensor x, Tensor y) {
    }

    private static int scaled(int units, double width) {
        return Math.max(1, (int) Math.round(units * width));
    }

    /**
     * {@link #model}, or for "gpt" the GPT sample's functional Transformer (token + position
     * embedding, 2 pre-norm blocks of causal 4-head attention and an MLP, the output tied to the
     * embedding), widths scaled by {@code width}; built, seeded with {@code seed}.
     */
    public static dev.isthmus.nn.model.Model network(String name, double width, long seed) {
        if (!name.equals("gpt")) {
            return model(name, width).seed(seed);
        }
        int d = 4 * Math.max(1, scaled(16, width));
        dev.isthmus.nn.layers.SymbolicTensor in = dev.isthmus.nn.layers.Input.of(GPT_CONTEXT);
        dev.isthmus.nn.layers.TokenAndPositionEmbedding e =
                new dev.isthmus.nn.layers.TokenAndPositionEmbedding(GPT_VOCABULARY, GPT_CONTEXT, d);
        dev.isthmus.nn.layers.SymbolicTensor h = e.apply(in);
        for (int b = 0; b < 2; b++) {
            h = new dev.isthmus.nn.layers.Add().apply(h, new dev.isthmus.nn.layers.MultiHeadAttention(4, d / 4, true)
                    .apply(new dev.isthmus.nn.layers.LayerNormalization().apply(h)));
            h = new dev.isthmus.nn.layers.Add().apply(h, new Dense(d).apply(new Dense(4 * d, Activation.RELU)
                    .apply(new dev.isthmus.nn.layers.LayerNormalization().apply(h))));
        }
        return new dev.isthmus.nn.model.Model("gpt", List.of(in), List.of(e.apply(new dev.isthmus.nn.layers.LayerNormalization()
                .apply(h))), seed);
    }

    public static Sequential model(String name, double width) {
        return switch (name) {
            case "mlp" -> new Sequential(new Dense(scaled(10, width), Activation.RELU), new Dense(1));
            case "text" -> new Sequential(new Embedding(TEXT_VOCABULARY, scaled(32, width), true), new Dropout(0.5f),
                    new LSTM(scaled(64, width)), new Dense(2, Activation.SOFTMAX));
            case "image" -> new Sequential(new Conv2D(scaled(32, width), 3, Activation.RELU), new MaxPooling2D(2),
                    new Flatten(), new Dense(scaled(128, width), Activation.RELU), new Dense(10, Activation.SOFTMAX));
            case "recommend" -> new Sequential(new Embedding(ITEMS, scaled(64, width), true), new LSTM(scaled(64, width)),
                    new Dropout(0.3f), new Dense(ITEMS, Activation.SOFTMAX));
            case "speech" -> new Sequential(new Conv2D(scaled(16, width), 3, Activation.RELU), new MaxPooling2D(2),
                    new Conv2D(scaled(32, width), 3, Activation.RELU), new MaxPooling2D(2), new Flatten(),
                    new Dense(scaled(64, width), Activation.RELU), new Dropout(0.3f), new Dense(10, Activation.SOFTMAX));
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; expected one of " + MODELS);
        };
    }

    public static Loss loss(String name) {
        if (name.equals("gpt")) {
            return Losses.sparseCategoricalCrossentropy(true);
        }
        return name.equals("mlp") ? Losses.mse() : Losses.sparseCategoricalCrossentropy();
    }

    /** Inputs of one batch: [batch, ...] as the sample feeds its model. */
    public static Tensor inputs(String name, int batch, Device device) {
        return switch (name) {
            case "mlp" -> Tensor.uniform(new int[] {batch, 10}, -1, 1, 1).to(device);
            case "text" -> integers(2, TEXT_VOCABULARY, device, batch, TEXT_LENGTH);
            case "image" -> Tensor.uniform(new int[] {batch, 28, 28, 1}, 0, 1, 3).to(device);
            case "recommend" -> integers(4, ITEMS, device, batch, WINDOW);
            case "speech" -> Tensor.uniform(new int[] {batch, FRAMES, BANDS, 1}, -1, 1, 5).to(device);
            case "gpt" -> integers(11, GPT_VOCABULARY, device, batch, GPT_CONTEXT);
            default -> throw new IllegalArgumentException("unknown model '" + name + "'");
        };
    }

    public static Tensor labels(String name, int batch, Device device) {
        return switch (name) {
            case "mlp" -> Tensor.uniform(new int[] {batch, 1}, -1, 1, 6).to(device);
            case "text" -> integers(7, 2, device, batch);
            case "recommend" -> integers(8, ITEMS, device, batch);
            case "gpt" -> integers(12, GPT_VOCABULARY, device, batch, GPT_CONTEXT);
            default -> integers(9, 10, device, batch);
        };
    }

    /** Whole numbers in [0, bound), as int32 tensors (token and class ids). */
    static Tensor integers(long seed, int bound, Device device, int... shape) {
        float[] v = Tensor.uniform(shape, 0, bound, seed).toArray();
        int[] ids = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            ids[i] = Math.min(bound - 1, (int) Math.floor(v[i]));
        }
        return Tensor.of(device, ids, shape);
    }

    /** Parses "cpu", "cuda" or "cuda:N". */
    static Device device(String name) {
        return Device.parse(name.toLowerCase(Locale.ROOT));
    }

    /**
     * Multiply-adds ×2 of one training step (forward and both backward GEMMs, so ×3) of the
     * GEMM-shaped layers — dense, convolution, LSTM — which is where a step's arithmetic is.
     */
    public static double trainingFlops(String name, int batch, double width) {
        double b = batch;
        return 3 * switch (name) {
            case "mlp" -> 2 * b * (10 * scaled(10, width) + scaled(10, width));
            case "text" -> lstm(b, TEXT_LENGTH, scaled(32, width), scaled(64, width)) + 2 * b * scaled(64, width) * 2;
            case "image" -> conv(b, 26, 26, 9, scaled(32, width)) + 2 * b * 13 * 13 * scaled(32, width) * scaled(128, width)
                    + 2 * b * scaled(128, width) * 10;
            case "recommend" -> lstm(b, WINDOW, scaled(64, width), scaled(64, width)) + 2 * b * scaled(64, width) * ITEMS;
            case "speech" -> conv(b, 99, 25, 9, scaled(16, width)) + conv(b, 47, 10, 9 * scaled(16, width), scaled(32, width))
                    + 2 * b * 23 * 5 * scaled(32, width) * scaled(64, width) + 2 * b * scaled(64, width) * 10;
            case "gpt" -> gpt(b, 4 * Math.max(1, scaled(16, width)));
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static double conv(double b, int oh, int ow, int patch, int filters) {
        return 2 * b * oh * ow * patch * filters;
    }

    /** Per block: the four attention projections, scores and weighted values, the MLP; then the tied output. */
    private static double gpt(double b, int d) {
        double tokens = b * GPT_CONTEXT;
        double block = 2 * tokens * (4.0 * d * d + 2.0 * d * 4 * d) + 2 * 2 * b * GPT_CONTEXT * GPT_CONTEXT * d;
        return 2 * block + 2 * tokens * d * GPT_VOCABULARY;
    }

    private static double lstm(double b, int steps, int d, int units) {
        return 2 * b * steps * (d + units) * 4.0 * units;
    }
}
