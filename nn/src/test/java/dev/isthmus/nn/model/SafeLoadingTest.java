package dev.isthmus.nn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.io.Json;
import dev.isthmus.nn.io.SafeTensors;
import dev.isthmus.nn.io.SafeTensorsException;
import dev.isthmus.nn.layers.Conv2D;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.tensor.CpuStorage;
import dev.isthmus.nn.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeLoadingTest {

    private static Map<String, Object> dense(int units) {
        return Map.of("class_name", "Dense", "config", Map.of("units", units, "activation", "linear", "use_bias", true));
    }

    /** A tiny, valid safetensors file whose architecture declares {@code layers} for inputs of {@code inputShape}. */
    private static Path hostile(Path file, List<Object> layers, int... inputShape) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("format", Sequential.ARCHITECTURE_FORMAT);
        a.put("name", "hostile");
        a.put("seed", 0);
        a.put("input_shape", inputShape);
        a.put("layers", layers);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("0.kernel", Tensor.ones(2, 2));
        tensors.put("0.bias", Tensor.ones(2));
        SafeTensors.write(file, tensors, Map.of(Sequential.ARCHITECTURE_KEY, Json.write(a)));
        return file;
    }

    @Test
    void smallFileDeclaringAHugeDenseIsRefusedBeforeAllocating(@TempDir Path dir) throws Exception {
        Path file = hostile(dir.resolve("huge.safetensors"), List.of(dense(16000)), 16000);
        assertTrue(Files.size(file) < 2048, Files.size(file) + " bytes");
        long baseline = CpuStorage.liveScopedBytes();
        for (int attempt = 0; attempt < 3; attempt++) {
            var e = assertThrows(SafeTensorsException.class, () -> Sequential.load(file));
            assertEquals(file, e.path());
            assertTrue(e.getMessage().contains("\"0.kernel\"") && e.getMessage().contains("[2, 2]")
                    && e.getMessage().contains("[16000, 16000]"), e.getMessage());
            assertEquals(baseline, CpuStorage.liveScopedBytes(), "after attempt " + (attempt + 1));
        }
    }

    @Test
    void declaredWeightsLargerThanTheMachineAreRefusedAsAFileProblem(@TempDir Path dir) {
        // 2^20 x 2^20 floats are 4 TiB: allocating before checking could only fail
        Path file = hostile(dir.resolve("4tib.safetensors"), List.of(dense(1 << 20)), 1 << 20);
        var e = assertThrows(SafeTensorsException.class, () -> Sequential.load(file));
        assertTrue(e.getMessage().contains("[1048576, 1048576]"), e.getMessage());
    }

    @Test
    void loadWhoseLaterLayerCannotBeBuiltFreesTheEarlierLayers(@TempDir Path dir) {
        Map<String, Object> conv = Map.of("class_name", "Conv2D", "config", Map.of("filters", 2, "kernel_size", List.of(1, 1),
                "strides", List.of(1, 1), "padding", "valid", "activation", "linear", "use_bias", true));
        Path file = hostile(dir.resolve("bad-second.safetensors"), List.of(dense(16000), conv), 16000);
        long baseline = CpuStorage.liveScopedBytes();
        for (int attempt = 0; attempt < 3; attempt++) {
            var e = assertThrows(SafeTensorsException.class, () -> Sequential.load(file));
            assertTrue(e.getMessage().contains("Conv2D expects inputs [height, width, channels]"), e.getMessage());
            assertEquals(baseline, CpuStorage.liveScopedBytes(), "after attempt " + (attempt + 1));
        }
    }

    @Test
    void malformedLayerConfigIsRefusedAsAFileProblem(@TempDir Path dir) {
        // found by ModelFileFuzzTest: a one-element kernel_size escaped as IndexOutOfBoundsException
        Map<String, Object> conv = Map.of("class_name", "Conv2D", "config", Map.of("filters", 2, "kernel_size", List.of(1),
                "strides", List.of(1, 1), "padding", "valid", "activation", "linear", "use_bias", true));
        Path file = hostile(dir.resolve("one-element-pair.safetensors"), List.of(conv), 4, 4, 1);
        var e = assertThrows(SafeTensorsException.class, () -> Sequential.load(file));
        assertTrue(e.getMessage().contains("\"kernel_size\" must be a list of two integers"), e.getMessage());
    }

    @Test
    void failedBuildLeavesTheModelBuildableForAValidShape() {
        long baseline = CpuStorage.liveScopedBytes();
        try (Sequential model = new Sequential(new Dense(4), new Conv2D(2, 1))) {
            assertThrows(IllegalArgumentException.class, () -> model.build(5));
            assertEquals(baseline, CpuStorage.liveScopedBytes());
            assertTrue(!model.isBuilt() && model.layers().stream().noneMatch(l -> l.isBuilt()));
            model.build(2, 2, 3);
            assertArrayEquals(new int[] {2, 2, 2}, model.layers().get(1).outputShape());
            assertArrayEquals(new int[] {3, 4}, model.namedParameters().get("0.kernel").shape());
        }
        assertEquals(baseline, CpuStorage.liveScopedBytes());
    }
}
