package dev.isthmus.nn.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.isthmus.nn.data.ColorMode;
import dev.isthmus.nn.data.DataFormatException;
import dev.isthmus.nn.data.Images;
import dev.isthmus.nn.tensor.Scope;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import java.util.Set;

/** The image loader on arbitrary bytes (seeds: tiny PNG, GIF, BMP, JPEG): an image or a DataFormatException. */
class ImageFuzzTest {

    @FuzzTest(maxExecutions = FuzzBudget.CI_IMAGE_EXECUTIONS)
    void imagesAreLoadedOrRefusedWithATypedError(byte[] bytes) throws Exception {
        Path file = FuzzInput.file("image", bytes);
        // one colour mode per input (decoding dominates the time), chosen by the input itself
        ColorMode mode = ColorMode.values()[bytes.length % ColorMode.values().length];
        FuzzInput.expectOnly(Set.of(DataFormatException.class), () -> {
            try (Scope ignored = Scope.open("fuzz input")) {
                Images.load(file, mode);
            }
        });
    }

    @AfterAll
    static void generatedInputsRan() {
        FuzzInput.checkFuzzed(FuzzBudget.CI_IMAGE_EXECUTIONS);
    }
}
