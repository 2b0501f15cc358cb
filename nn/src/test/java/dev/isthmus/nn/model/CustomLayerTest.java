package dev.isthmus.nn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.io.SafeTensorsException;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Layer;
import dev.isthmus.nn.layers.Layers;
import dev.isthmus.nn.layers.UnknownLayerException;
import dev.isthmus.nn.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's Layer subclass saves, and loads once registered with Layers.register. */
class CustomLayerTest {

    private static String runChild(Path model, Path out, String mode) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), LoadCustomLayerInFreshJvm.class.getName(),
                model.toString(), out.toString(), mode);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        return Files.readString(out);
    }

    @Test
    void aRegisteredCustomLayerRoundTripsThroughSaveAndLoadInAFreshJvm(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("custom.safetensors");
        String here;
        try (Sequential model = new Sequential(new Dense(3), new Scale(2.5f)).seed(4)) {
            model.build(3);
            model.save(file);
            here = Arrays.toString(model.predict(LoadCustomLayerInFreshJvm.probe()).toArray());
        }
        assertEquals(here, runChild(file, dir.resolve("registered.txt"), "registered"));
        String refused = runChild(file, dir.resolve("unregistered.txt"), "unregistered");
        assertTrue(refused.startsWith(SafeTensorsException.class.getName() + " caused by " + UnknownLayerException.class.getName()),
                refused);
        assertTrue(refused.contains("\"Scale\"") && refused.contains("Layers.register(\"Scale\""), refused);
    }

    /** A layer class no JVM has registered: its own name keeps it apart from the other tests' registrations. */
    private static final class NeverRegistered extends Layer {
        @Override
        public int[] computeOutputShape(int[] inputShape) {
            return inputShape;
        }

        @Override
        protected Tensor forward(Tensor x, boolean training) {
            return x;
        }
    }

    @Test
    void loadingAnUnregisteredClassNamesItAndTheCallThatFixesIt(@TempDir Path dir) {
        Path file = dir.resolve("unknown.safetensors");
        try (Sequential model = new Sequential(new Dense(2), new NeverRegistered())) {
            model.build(2);
            model.save(file);
        }
        var e = assertThrows(SafeTensorsException.class, () -> Sequential.load(file));
        UnknownLayerException cause = assertInstanceOf(UnknownLayerException.class, e.getCause());
        assertEquals("NeverRegistered", cause.className());
        assertTrue(e.getMessage().contains("Layers.register(\"NeverRegistered\""), e.getMessage());
        assertThrows(UnknownLayerException.class, () -> Layers.fromConfig("NeverRegistered", Map.of()));
    }

    @Test
    void builtInNamesCannotBeTaken() {
        assertThrows(IllegalArgumentException.class, () -> Layers.register("Dense", c -> new Dense(1)));
    }
}
