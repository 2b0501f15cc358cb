package dev.isthmus.samples;

/** One of the sample models: trains on its real dataset and predicts from a user's input. */
public interface Sample {
    /** The name on the command line: mlp, text, image, recommend, speech or gpt. */
    String name();

    /** Trains, prints test metrics and a one-line summary, and writes model, curve and metrics into the output folder. */
    SampleResult train(TrainOptions options) throws Exception;

    /** Loads the trained model from the output folder and prints its prediction for {@code input}. */
    void predict(TrainOptions options, String input) throws Exception;
}
