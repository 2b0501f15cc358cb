package dev.isthmus.samples;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Settings shared by every sample; {@code epochs} and {@code batchSize} are null when each sample
 * should use its own default. {@code out} is the sample's own folder (out/&lt;sample&gt;).
 */
public record TrainOptions(PrintStream console, Path cache, Path out, long seed, Integer epochs, Integer batchSize,
                           boolean quick, boolean resume) {

    public int epochsOr(int normal, int quickValue) {
        return epochs != null ? epochs : quick ? quickValue : normal;
    }

    public int batchSizeOr(int normal) {
        return batchSize != null ? batchSize : normal;
    }

    public TrainOptions forSample(String name) {
        return new TrainOptions(console, cache, out.resolve(name), seed, epochs, batchSize, quick, resume);
    }
}
