package dev.isthmus.nn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.io.SafeTensors;
import dev.isthmus.nn.io.SafeTensorsException;
import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Embedding;
import dev.isthmus.nn.layers.LSTM;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    static Tensor[] data() {
        Tensor x = Tensor.normal(new int[] {512, 16}, 0f, 1f, 1);
        return new Tensor[] {x, x.sum(new int[] {1}, true).tanh()};
    }

    static Sequential model() {
        return new Sequential(new Dense(64, Activation.TANH), new Dense(1)).seed(3);
    }

    static Fit settings(int epochs) {
        return Fit.epochs(epochs).batchSize(32).seed(5).verbose(0);
    }

    private static ProcessBuilder childJvm(String mainClass, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true);
    }

    @Test
    void savedModelPredictsIdenticallyInAFreshJvm(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("text.safetensors");
        float[] here;
        try (var model = new Sequential(new Embedding(10, 4, true), new LSTM(6), new Dense(2, Activation.SOFTMAX)).seed(9)) {
            model.compile(new Adam(0.01f), Losses.sparseCategoricalCrossentropy());
            Tensor ids = Tensor.uniform(new int[] {64, 3}, 0f, 9f, 1).add(0.5f).clamp(0f, 9f);
            float[] iv = ids.toArray();
            for (int i = 0; i < iv.length; i++) {
                iv[i] = (float) Math.floor(iv[i]);
            }
            Tensor x = Tensor.of(iv, 64, 3);
            model.fit(x, Tensor.of(Arrays.copyOf(iv, 64), 64).gt(Tensor.scalar(4f)), Fit.epochs(2).verbose(0));
            model.save(file);
            here = model.predict(PredictInFreshJvm.probe()).toArray();
        }
        assertFalse(Files.exists(dir.resolve("text.json")), "the architecture lives in the safetensors metadata alone");
        Path out = dir.resolve("pred.txt");
        Process p = childJvm(PredictInFreshJvm.class.getName(), file.toString(), out.toString()).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        assertEquals(Arrays.toString(here), Files.readString(out));
    }

    @Test
    void loadingRejectsTensorsThatDoNotFitTheArchitecture(@TempDir Path dir) {
        Path file = dir.resolve("m.safetensors");
        try (var model = model()) {
            model.build(16);
            model.save(file);
            var c = SafeTensors.read(file);
            Map<String, Tensor> wrong = new LinkedHashMap<>(c.tensors());
            wrong.put("0.kernel", Tensor.zeros(16, 63));
            SafeTensors.write(file, wrong, c.metadata());
            var e = assertThrows(SafeTensorsException.class, () -> Sequential.load(file));
            assertTrue(e.getMessage().contains("0.kernel") && e.getMessage().contains("[16, 63]")
                    && e.getMessage().contains("[16, 64]"), e.getMessage());
            wrong.remove("0.kernel");
            SafeTensors.write(file, wrong, c.metadata());
            assertTrue(assertThrows(SafeTensorsException.class, () -> Sequential.load(file)).getMessage().contains("missing"));
            SafeTensors.write(file, c.tensors(), Map.of());
            assertTrue(assertThrows(SafeTensorsException.class, () -> Sequential.load(file)).getMessage().contains("metadata"));
        }
    }

    @Test
    void resumingFromACheckpointEqualsAnUnbrokenRun(@TempDir Path dir) {
        Tensor[] d = data();
        float[][] unbroken;
        try (var model = model()) {
            model.compile(new Adam(0.01f), Losses.mse());
            model.fit(d[0], d[1], settings(6));
            unbroken = model.parameters().stream().map(Tensor::toArray).toArray(float[][]::new);
        }
        Path ck = dir.resolve("ck.safetensors");
        try (var model = model()) {
            model.compile(new Adam(0.01f), Losses.mse());
            model.fit(d[0], d[1], settings(3).checkpoint(ck));
        }
        Checkpoint c = Checkpoint.read(ck);
        assertEquals(3, c.epochsDone());
        try (var model = c.model()) {
            Adam adam = new Adam(0.01f);
            c.restoreOptimizer(adam);
            model.compile(adam, Losses.mse());
            History h = model.fit(d[0], d[1], settings(6).resume(c));
            assertEquals(6, h.epochs());
            List<Tensor> params = model.parameters();
            for (int i = 0; i < params.size(); i++) {
                assertArrayEquals(unbroken[i], params.get(i).toArray(), 0f, "parameter " + i);
            }
        }
    }

    @Test
    void resumingWithDropoutDrawsTheMasksAnUnbrokenRunDraws(@TempDir Path dir) {
        Tensor[] d = data();
        java.util.function.Supplier<Sequential> make = () -> new Sequential(new Dense(64, Activation.TANH),
                new dev.isthmus.nn.layers.Dropout(0.3f), new Dense(1)).seed(3);
        float[][] unbroken;
        try (var model = make.get()) {
            model.compile(new Adam(0.01f), Losses.mse());
            model.fit(d[0], d[1], settings(4));
            unbroken = model.parameters().stream().map(Tensor::toArray).toArray(float[][]::new);
        }
        Path ck = dir.resolve("ck.safetensors");
        try (var model = make.get()) {
            model.compile(new Adam(0.01f), Losses.mse());
            model.fit(d[0], d[1], settings(2).checkpoint(ck));
        }
        Checkpoint c = Checkpoint.read(ck);
        try (var model = c.model()) {
            assertEquals(2L * 16, model.layers().get(1).randomDraws(), "one mask per step: 2 epochs of 16 batches");
            Adam adam = new Adam(0.01f);
            c.restoreOptimizer(adam);
            model.compile(adam, Losses.mse());
            model.fit(d[0], d[1], settings(4).resume(c));
            List<Tensor> params = model.parameters();
            for (int i = 0; i < params.size(); i++) {
                assertArrayEquals(unbroken[i], params.get(i).toArray(), 0f, "parameter " + i);
            }
        }
    }

    @Test
    void killingTheTrainerMidEpochLeavesTheLastCheckpointUsable(@TempDir Path dir) throws Exception {
        Path ck = dir.resolve("ck.safetensors");
        Process p = childJvm(TrainWithCheckpoints.class.getName(), ck.toString(), "100000")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
            int seen = 0;
            while (seen < 3 && Instant.now().isBefore(deadline) && p.isAlive()) {
                Thread.sleep(20);
                if (Files.exists(ck)) {
                    try {
                        Checkpoint c = Checkpoint.read(ck);
                        seen = c.epochsDone();
                        c.model().close();
                    } catch (SafeTensorsException e) {
                        throw new AssertionError("a checkpoint was readable only in part: " + e.getMessage(), e);
                    }
                }
            }
            assertTrue(p.isAlive(), () -> "trainer exited with " + p.exitValue());
            assertTrue(seen >= 3, "no third checkpoint within the deadline");
        } finally {
            p.destroyForcibly().waitFor();
        }
        Checkpoint c = Checkpoint.read(ck);
        assertTrue(c.epochsDone() >= 3);
        try (var model = c.model()) {
            Adam adam = new Adam(0.01f);
            c.restoreOptimizer(adam);
            model.compile(adam, Losses.mse());
            History h = model.fit(data()[0], data()[1], settings(c.epochsDone() + 1).resume(c));
            assertEquals(c.epochsDone() + 1, h.epochs());
            assertTrue(h.last("loss") <= h.get("loss").getFirst());
        }
    }
}
