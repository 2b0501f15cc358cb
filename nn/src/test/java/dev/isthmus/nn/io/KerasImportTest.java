package dev.isthmus.nn.io;

import dev.isthmus.nn.data.DataFormatException;
import dev.isthmus.nn.model.Model;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras models saved by TensorFlow.js 4.22 (layers format; fixtures made by
 * {@code nn/src/test/tfjs/make-fixtures.mjs} with random weights) import and predict what TF.js
 * predicted on the same inputs, within 1e-5: which also cross-checks our Keras semantics (TF-style
 * "same" padding, LSTM masking over trailing padding) against a second implementation.
 */
class KerasImportTest {
    @ParameterizedTest
    @ValueSource(strings = {"mlp", "image", "speech", "text", "recommend"})
    void predictsWhatTensorFlowJsPredicted(String name) throws Exception {
        Path dir = fixture(name);
        FixtureCase c = FixtureCase.read(dir);
        try (Model m = KerasImport.load(dir.resolve("model.json")); Scope ignored = Scope.open()) {
            c.assertMatches(m.forward(c.x(), false), name);
        }
    }

    /** A functional model made by TF.js: two inputs, a layer shared by both, merges, two outputs. */
    @Test
    void functionalModelPredictsWhatTensorFlowJsPredicted() throws Exception {
        Path dir = fixture("functional");
        Map<?, ?> cases = (Map<?, ?>) Json.parse(Files.readString(dir.resolve("cases.json")));
        List<?> inputs = (List<?>) cases.get("inputs");
        List<?> outputs = (List<?>) cases.get("outputs");
        try (Model m = KerasImport.load(dir.resolve("model.json")); Scope ignored = Scope.open()) {
            assertTrue(!(m instanceof Sequential));
            List<Tensor> xs = new java.util.ArrayList<>();
            for (Object o : inputs) {
                Map<?, ?> in = (Map<?, ?>) o;
                List<?> values = (List<?>) in.get("values");
                xs.add(Tensor.of(FixtureCase.floats(values), FixtureCase.ints((List<?>) in.get("shape"))));
            }
            List<Tensor> ys = m.forward(xs, false);
            assertEquals(outputs.size(), ys.size());
            // the Dense applied to both inputs is one layer: one weight set
            assertEquals(1, m.layers().stream().filter(l -> l.typeName().equals("Dense")
                    && l.getWeights().getFirst().shape()[1] == 5).count());
            for (int k = 0; k < ys.size(); k++) {
                Map<?, ?> out = (Map<?, ?>) outputs.get(k);
                assertArrayEquals(FixtureCase.ints((List<?>) out.get("shape")), ys.get(k).shape(), "output " + k);
                float[] got = ys.get(k).toArray();
                List<?> want = (List<?>) out.get("values");
                for (int i = 0; i < got.length; i++) {
                    assertEquals(((Number) want.get(i)).floatValue(), got[i], 1e-5f, "output " + k + " value " + i);
                }
            }
        }
    }

    @Test
    void refusesWhatItCannotBuildByName(@TempDir Path tmp) throws Exception {
        Path dir = fixture("text");
        Files.copy(dir.resolve("weights.bin"), tmp.resolve("weights.bin"));
        String json = Files.readString(dir.resolve("model.json"));
        Files.writeString(tmp.resolve("model.json"), json.replace("\"recurrent_activation\": \"sigmoid\"",
                "\"recurrent_activation\": \"hard_sigmoid\""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KerasImport.load(tmp.resolve("model.json")));
        assertTrue(e.getMessage().contains("recurrent_activation") && e.getMessage().contains("hard_sigmoid"),
                e.getMessage());
        Files.writeString(tmp.resolve("model.json"), json.replace("\"class_name\": \"LSTM\"", "\"class_name\": \"GRU\""));
        e = assertThrows(IllegalArgumentException.class, () -> KerasImport.load(tmp.resolve("model.json")));
        assertTrue(e.getMessage().contains("GRU"), e.getMessage());
    }

    @Test
    void aShortShardIsAFormatErrorNamingTheFile(@TempDir Path tmp) throws Exception {
        Path dir = fixture("mlp");
        Files.copy(dir.resolve("model.json"), tmp.resolve("model.json"));
        byte[] w = Files.readAllBytes(dir.resolve("weights.bin"));
        Files.write(tmp.resolve("weights.bin"), java.util.Arrays.copyOf(w, w.length - 4));
        DataFormatException e = assertThrows(DataFormatException.class, () -> KerasImport.load(tmp.resolve("model.json")));
        assertTrue(e.getMessage().contains("weights.bin"), e.getMessage());
    }

    private static Path fixture(String name) throws URISyntaxException, IOException {
        return Path.of(KerasImportTest.class.getResource("/tfjs/" + name + "/model.json").toURI()).getParent();
    }
}
