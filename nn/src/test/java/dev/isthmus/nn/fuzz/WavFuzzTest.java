package dev.isthmus.nn.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.isthmus.nn.data.DataFormatException;
import dev.isthmus.nn.data.Wav;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;

/** The WAV reader on arbitrary bytes, in both truncation modes: a clip or a DataFormatException. */
class WavFuzzTest {

    @FuzzTest(maxExecutions = FuzzBudget.CI_EXECUTIONS)
    void wavFilesAreReadOrRefusedWithATypedError(byte[] bytes) throws Exception {
        Path file = FuzzInput.file("clip.wav", bytes);
        for (Wav.OnTruncatedData mode : Wav.OnTruncatedData.values()) {
            FuzzInput.expectOnly(Set.of(DataFormatException.class), () -> Wav.read(file, mode));
        }
    }

    @AfterAll
    static void generatedInputsRan() {
        FuzzInput.checkFuzzed(FuzzBudget.CI_EXECUTIONS);
    }
}
