package dev.isthmus.samples;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Settings shared by every sample; {@code epochs} and {@code batchSize} are null when each sample
 * should use its own default. {@code out} is the sample's own folder (out/&lt;sample&gt;).
 * {@code seed} draws the model's randomness (weights, shuffling, dropout); {@code dataSeed} the
 * data's (test and cross-validation splits, synthesised clips), so runs of several seeds are
 * measured on the same held-out data and their spread is the training's. {@code size} scales a
 * sample that has a size (the GPT's width and depth; 1 is its default, larger ones for a GPU).
 */
public record TrainOptions(PrintStream console, Path cache, Path out, long seed, long dataSeed, Integer epochs,
                           Integer batchSize, boolean quick, boolean resume, int size) {
    /** The options at size 1. */
    public TrainOptions(PrintStream console, Path cache, Path out, long seed, long dataSeed, Integer epochs,
                        Integer batchSize, boolean quick, boolean resume) {
        this(console, cache, out, seed, dataSeed, epochs, batchSize, quick, resume, 1);
    }

    /** The data seed when none is given: the default seed, so earlier runs' splits stay as they were. */
    public static final long DEFAULT_DATA_SEED = 42;


    public int epochsOr(int normal, int quickValue) {
        return epochs != null ? epochs : quick ? quickValue : normal;
    }

    public int batchSizeOr(int normal) {
        return batchSize != null ? batchSize : normal;
    }

    public TrainOptions forSample(String name) {
        return new TrainOptions(console, cache, out.resolve(name), seed, dataSeed, epochs, batchSize, quick, resume, size);
    }
}
