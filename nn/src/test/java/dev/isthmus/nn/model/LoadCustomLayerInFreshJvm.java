package dev.isthmus.nn.model;

import dev.isthmus.nn.layers.Layers;
import dev.isthmus.nn.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Child-JVM entry point: registers {@link Scale} (unless told not to), loads a model, writes its predictions. */
public final class LoadCustomLayerInFreshJvm {
    private LoadCustomLayerInFreshJvm() {
    }

    static Tensor probe() {
        return Tensor.normal(new int[] {4, 3}, 0f, 1f, 11);
    }

    public static void main(String[] args) throws Exception {
        if (!"unregistered".equals(args[2])) {
            Layers.register("Scale", Scale::fromConfig);
        }
        try (Sequential model = Sequential.load(Path.of(args[0]))) {
            Files.writeString(Path.of(args[1]), Arrays.toString(model.predict(probe()).toArray()));
        } catch (RuntimeException e) {
            Files.writeString(Path.of(args[1]), e.getClass().getName() + " caused by "
                    + (e.getCause() == null ? "nothing" : e.getCause().getClass().getName()) + ": " + e.getMessage());
        }
    }
}
