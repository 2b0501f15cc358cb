package dev.isthmus.samples.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;

/**
 * The gzip-compressed IDX reader on arbitrary bytes (seeds: {@link IdxFuzzSeeds}), read as
 * images and as labels: the data or a {@link DatasetFormatException}, nothing else.
 */
class IdxFuzzTest {
    /** Generated inputs per CI run (JAZZER_FUZZ=1); longer runs are local (README). */
    static final long CI_EXECUTIONS = 20_000;
    private static final Path FILE = fuzzFile();
    private static final AtomicLong INPUTS = new AtomicLong();

    private static Path fuzzFile() {
        Path shm = Path.of("/dev/shm");
        try {
            Path dir = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "isthmus-fuzz") : Files.createTempDirectory("isthmus-fuzz");
            dir.toFile().deleteOnExit();
            Path f = dir.resolve("data-idx-ubyte.gz");
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @FuzzTest(maxExecutions = CI_EXECUTIONS)
    void idxFilesAreReadOrRefusedWithATypedError(byte[] bytes) throws IOException {
        INPUTS.incrementAndGet();
        Files.write(FILE, bytes);
        try {
            FashionMnist.readIdx(FILE, FashionMnist.IMAGES_MAGIC, 2, FashionMnist.ROWS, FashionMnist.COLS);
        } catch (DatasetFormatException expected) {
            // a refusal that names the file: what bad input must get
        }
        try {
            FashionMnist.readIdx(FILE, FashionMnist.LABELS_MAGIC, 3);
        } catch (DatasetFormatException expected) {
            // as above
        }
    }

    /** When fuzzing, the generated inputs must really have run, not only the seeds. */
    @AfterAll
    static void generatedInputsRan() {
        String fuzzing = System.getenv("JAZZER_FUZZ");
        if (fuzzing != null && !fuzzing.isEmpty() && INPUTS.get() < CI_EXECUTIONS) {
            throw new AssertionError("JAZZER_FUZZ is set but only " + INPUTS.get() + " inputs ran");
        }
    }
}
