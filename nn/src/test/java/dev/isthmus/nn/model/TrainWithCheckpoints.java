package dev.isthmus.nn.model;

import dev.isthmus.nn.optim.Adam;
import java.nio.file.Path;

/** Child-JVM entry point of the kill test: trains for a long time with a checkpoint after every epoch. */
public final class TrainWithCheckpoints {
    private TrainWithCheckpoints() {
    }

    public static void main(String[] args) {
        var data = CheckpointTest.data();
        Sequential model = CheckpointTest.model();
        model.compile(new Adam(0.01f), dev.isthmus.nn.losses.Losses.mse());
        model.fit(data[0], data[1], CheckpointTest.settings(Integer.parseInt(args[1])).checkpoint(Path.of(args[0])));
    }
}
