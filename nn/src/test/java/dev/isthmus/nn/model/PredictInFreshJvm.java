package dev.isthmus.nn.model;

import dev.isthmus.nn.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Child-JVM entry point of the save/load test: loads a model and writes its predictions as text. */
public final class PredictInFreshJvm {
    private PredictInFreshJvm() {
    }

    /** Token ids [8, 3] in 0..9, the same in every JVM. */
    static Tensor probe() {
        float[] v = Tensor.uniform(new int[] {8, 3}, 0f, 10f, 77).toArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.floor(v[i]);
        }
        return Tensor.of(v, 8, 3);
    }

    public static void main(String[] args) throws Exception {
        try (Sequential model = Sequential.load(Path.of(args[0]))) {
            float[] p = model.predict(probe()).toArray();
            Files.writeString(Path.of(args[1]), Arrays.toString(p));
        }
    }
}
