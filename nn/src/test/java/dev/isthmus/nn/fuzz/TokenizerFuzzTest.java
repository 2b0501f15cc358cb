package dev.isthmus.nn.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.isthmus.nn.data.DataFormatException;
import dev.isthmus.nn.data.Tokenizer;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;

/** {@code Tokenizer.load} on arbitrary bytes (seed: a saved tokenizer): a tokenizer or a DataFormatException. */
class TokenizerFuzzTest {

    @FuzzTest(maxExecutions = FuzzBudget.CI_EXECUTIONS)
    void tokenizersAreLoadedOrRefusedWithATypedError(byte[] bytes) throws Exception {
        Path file = FuzzInput.file("tokenizer.txt", bytes);
        FuzzInput.expectOnly(Set.of(DataFormatException.class), () -> Tokenizer.load(file).textsToSequences(java.util.List.of("a b")));
    }

    @AfterAll
    static void generatedInputsRan() {
        FuzzInput.checkFuzzed(FuzzBudget.CI_EXECUTIONS);
    }
}
