package dev.isthmus.samples.image;

import dev.isthmus.nn.data.ColorMode;
import dev.isthmus.nn.data.Images;
import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Conv2D;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Flatten;
import dev.isthmus.nn.layers.MaxPooling2D;
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
import dev.isthmus.samples.data.FashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The image sample: the seed's CNN — Conv2D(32, 3×3, relu) → MaxPooling2D(2) → Flatten →
 * Dense(128, relu) → Dense(10, softmax) — on Fashion-MNIST (Debian's dataset-fashion-mnist),
 * Adam, trained on the 60k training images and tested on the 10k test images.
 */
public final class ImageSample implements Sample {
    public static final double TARGET_ACCURACY = 0.91;
    static final int EPOCHS = 8;
    static final float LEARNING_RATE = 0.001f;
    /** From this epoch on the learning rate is {@value #DECAY} times {@value #LEARNING_RATE}. */
    static final int DECAY_EPOCH = 7;
    static final float DECAY = 0.2f;
    static final int BATCH = 64;
    static final int QUICK_TRAIN = 2048;
    static final int QUICK_TEST = 1000;

    @Override
    public String name() {
        return "image";
    }

    public static Sequential model(long seed) {
        return new Sequential(new Conv2D(32, 3, Activation.RELU), new MaxPooling2D(2), new Flatten(),
                new Dense(128, Activation.RELU), new Dense(10, Activation.SOFTMAX)).seed(seed);
    }

    @Override
    public SampleResult train(TrainOptions o) throws Exception {
        long t0 = System.nanoTime();
        o.console().println("Fashion-MNIST: loading (Debian package " + FashionMnist.PACKAGE + ") ...");
        FashionMnist data = FashionMnist.load(o.cache());
        int nTrain = o.quick() ? QUICK_TRAIN : data.train().count();
        int nTest = o.quick() ? QUICK_TEST : data.test().count();
        Tensor xTrain = data.train().images(0, nTrain);
        Tensor yTrain = data.train().labels(0, nTrain);
        Tensor xTest = data.test().images(0, nTest);
        Tensor yTest = data.test().labels(0, nTest);
        int epochs = o.epochsOr(EPOCHS, 1);
        o.console().printf(Locale.ROOT, "image: %d train / %d test images 28x28x1; CNN as the seed; Adam(%.4g, then %.4g from epoch %d), batch %d, %d epochs%n",
                nTrain, nTest, LEARNING_RATE, LEARNING_RATE * DECAY, DECAY_EPOCH, o.batchSizeOr(BATCH), epochs);
        var trained = Training.fit(o, "image (Fashion-MNIST CNN)", () -> model(o.seed()), Adam::new,
                List.of(new Training.Phase(DECAY_EPOCH - 1, LEARNING_RATE), new Training.Phase(Integer.MAX_VALUE, LEARNING_RATE * DECAY)),
                epochs, Losses.sparseCategoricalCrossentropy(), new Metric[] {Metrics.ACCURACY}, xTrain, yTrain,
                until -> Fit.epochs(until).batchSize(o.batchSizeOr(BATCH)).seed(o.seed()).validationData(xTest, yTest));
        try (Sequential model = trained.model()) {
            Map<String, Double> test = model.evaluate(xTest, yTest, 256);
            double acc = test.get("accuracy");
            o.console().printf(Locale.ROOT, "image: test accuracy %.4f, test loss %.4f (%d images); %.1f s per epoch%n",
                    acc, test.get("loss"), nTest, trained.secondsPerEpoch());
            boolean met = !o.quick() && acc >= TARGET_ACCURACY;
            String summary = String.format(Locale.ROOT, "test accuracy %.4f (>= %.2f), %.1f s/epoch", acc, TARGET_ACCURACY,
                    trained.secondsPerEpoch());
            return new SampleResult(name(), Map.of("test_accuracy", acc, "test_loss", test.get("loss"),
                    "seconds_per_epoch", trained.secondsPerEpoch()), met, summary, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** Any PNG/JPEG as a 28×28 grey image in [0, 1], light-on-dark like Fashion-MNIST (photos are inverted). */
    public static Tensor prepare(Path file) {
        Tensor img = Images.loadNormalized(file, ColorMode.GRAYSCALE, 28, 28);
        // Fashion-MNIST garments are bright on black; a typical photo is dark on a light background.
        return img.mean().item() > 0.5f ? img.neg().add(1f) : img;
    }

    @Override
    public void predict(TrainOptions o, String input) throws Exception {
        Path file = Path.of(input);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no image file at " + file.toAbsolutePath());
        }
        try (Sequential model = Training.loadTrained(o, name())) {
            float[] p = model.predict(prepare(file).reshape(1, 28, 28, 1)).toArray();
            Integer[] order = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
            java.util.Arrays.sort(order, (a, b) -> Float.compare(p[b], p[a]));
            for (int k = 0; k < 3; k++) {
                o.console().printf(Locale.ROOT, "%-12s %.4f%n", FashionMnist.CLASS_NAMES.get(order[k]), p[order[k]]);
            }
        }
    }
}
