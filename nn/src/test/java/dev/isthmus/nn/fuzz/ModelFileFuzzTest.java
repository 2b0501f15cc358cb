package dev.isthmus.nn.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.isthmus.nn.data.DataFormatException;
import dev.isthmus.nn.io.SafeTensors;
import dev.isthmus.nn.model.Checkpoint;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.Scope;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;

/**
 * The safetensors reader, {@code Sequential.load} and {@code Checkpoint.read} on arbitrary bytes
 * (seeds: small saved models and a checkpoint): each loads or refuses with a
 * {@code SafeTensorsException}, and frees what it made.
 */
class ModelFileFuzzTest {

    @FuzzTest(maxExecutions = FuzzBudget.CI_EXECUTIONS)
    void modelFilesAreLoadedOrRefusedWithATypedError(byte[] bytes) throws Exception {
        Path file = FuzzInput.file("model.safetensors", bytes);
        Set<Class<? extends Exception>> allowed = Set.of(DataFormatException.class);
        FuzzInput.expectOnly(allowed, () -> {
            try (Scope ignored = Scope.open("fuzz input")) {
                SafeTensors.read(file);
            }
        });
        FuzzInput.expectOnly(allowed, () -> {
            try (Sequential model = Sequential.load(file)) {
                model.summary();
            }
        });
        FuzzInput.expectOnly(allowed, () -> {
            try (Scope ignored = Scope.open("fuzz input"); var model = Checkpoint.read(file).model()) {
                model.summary();
            }
        });
    }

    @AfterAll
    static void generatedInputsRan() {
        FuzzInput.checkFuzzed(FuzzBudget.CI_EXECUTIONS);
    }
}
