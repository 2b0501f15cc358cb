package dev.isthmus.nn.fuzz;

import dev.isthmus.nn.data.AudioClip;
import dev.isthmus.nn.data.Tokenizer;
import dev.isthmus.nn.data.Wav;
import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Conv2D;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Dropout;
import dev.isthmus.nn.layers.Embedding;
import dev.isthmus.nn.layers.Flatten;
import dev.isthmus.nn.layers.GlobalAveragePooling1D;
import dev.isthmus.nn.layers.LSTM;
import dev.isthmus.nn.layers.MaxPooling2D;
import dev.isthmus.nn.layers.MultiHeadAttention;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.model.Fit;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Writes the fuzz targets' seed inputs (small valid files of each format, so that mutations start
 * from deep inside the readers) into the test resources, where Jazzer finds them:
 * {@code <Class>Inputs/<method>/}. Run from the repository root (see the README) after a format
 * changes; the seeds are committed.
 */
public final class FuzzSeeds {
    private FuzzSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "nn/src/test/resources/dev/isthmus/nn/fuzz");
        Path models = dir(root, "ModelFileFuzzTest", "modelFilesAreLoadedOrRefusedWithATypedError");
        save(models.resolve("dense"), new Sequential(new Dense(2, Activation.RELU), new Dropout(0.5f), new Dense(1)), 3);
        save(models.resolve("conv"), new Sequential(new Conv2D(2, 3), new MaxPooling2D(new int[] {2, 2}, new int[] {2, 2}, "valid"),
                new Flatten(), new Dense(2, Activation.SOFTMAX)), 6, 6, 1);
        save(models.resolve("text"), new Sequential(new Embedding(5, 2, true), new LSTM(2), new Dense(1, Activation.SIGMOID)), 4);
        save(models.resolve("attention"), new Sequential(new MultiHeadAttention(1, 2), new GlobalAveragePooling1D(), new Dense(1)), 3, 2);
        try (Sequential m = new Sequential(new Dense(1)).seed(1)) {
            m.compile(new Adam(0.01f), Losses.mse());
            m.fit(Tensor.ones(2, 2), Tensor.ones(2, 1), Fit.epochs(1).verbose(0).checkpoint(models.resolve("checkpoint")));
        }

        Path wavs = dir(root, "WavFuzzTest", "wavFilesAreReadOrRefusedWithATypedError");
        Wav.write(wavs.resolve("pcm16"), new AudioClip(new float[] {0f, 0.25f, -0.5f, 1f}, 8000));

        Path images = dir(root, "ImageFuzzTest", "imagesAreLoadedOrRefusedWithATypedError");
        BufferedImage rgb = new BufferedImage(3, 2, BufferedImage.TYPE_INT_ARGB);
        rgb.setRGB(1, 1, 0x80FF2010);
        BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(2, 1, 0, 200);
        ImageIO.write(rgb, "png", images.resolve("rgba.png").toFile());
        ImageIO.write(gray, "png", images.resolve("gray.png").toFile());
        ImageIO.write(gray, "gif", images.resolve("gray.gif").toFile());
        ImageIO.write(gray, "bmp", images.resolve("gray.bmp").toFile());
        ImageIO.write(gray, "jpeg", images.resolve("gray.jpg").toFile());

        Path tokenizers = dir(root, "TokenizerFuzzTest", "tokenizersAreLoadedOrRefusedWithATypedError");
        Tokenizer.builder().oovToken("<OOV>").build().fitOnTexts(List.of("the cat\tsat", "on the mat\\")).save(tokenizers.resolve("oov"));
        new Tokenizer().fitOnTexts(List.of("a b b")).save(tokenizers.resolve("plain"));
    }

    private static Path dir(Path root, String test, String method) throws IOException {
        return Files.createDirectories(root.resolve(test + "Inputs").resolve(method));
    }

    private static void save(Path file, Sequential model, int... inputShape) {
        try (model) {
            model.seed(1).build(inputShape);
            model.save(file);
        }
    }
}
