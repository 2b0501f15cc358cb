package dev.isthmus.nn.io;

import static dev.isthmus.nn.io.AtomicFilesTest.names;
import static dev.isthmus.nn.io.AtomicFilesTest.ordinaryPermissions;
import static dev.isthmus.nn.io.AtomicFilesTest.staleTemporaryOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isthmus.nn.data.AudioClip;
import dev.isthmus.nn.data.Tokenizer;
import dev.isthmus.nn.data.Wav;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.model.Fit;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.SGD;
import dev.isthmus.nn.tensor.Tensor;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file Isthmus writes goes through {@link AtomicFiles}: each writer removes a stale
 * temporary of its target (which only the helper knows about) and leaves an ordinary file.
 */
class WritersAreAtomicTest {
    interface Writer {
        void write(Path file) throws Exception;
    }

    private static void checkAtomic(Path dir, String name, Writer writer) throws Exception {
        Path file = dir.resolve(name);
        staleTemporaryOf(file);
        writer.write(file);
        assertEquals(List.of(name), names(dir));
        assertEquals(ordinaryPermissions(dir), Files.getPosixFilePermissions(file));
    }

    private static Sequential model() {
        Sequential m = new Sequential(new Dense(2)).seed(1);
        m.build(3);
        return m;
    }

    @Test
    void modelSaveIsAtomic(@TempDir Path dir) throws Exception {
        try (Sequential m = model()) {
            checkAtomic(dir, "model.safetensors", m::save);
        }
    }

    @Test
    void callbackFilesAreAtomic(@TempDir Path dir) throws Exception {
        try (Sequential m = model()) {
            m.compile(new SGD(0.1f), Losses.mse());
            checkAtomic(dir, "log.csv", f -> m.fit(Tensor.ones(4, 3), Tensor.ones(4, 2),
                    Fit.epochs(2).verbose(0).callbacks(new dev.isthmus.nn.callbacks.CSVLogger(f))));
        }
        try (Sequential m = model()) {
            m.compile(new SGD(0.1f), Losses.mse());
            checkAtomic(Files.createDirectories(dir.resolve("sub")), "best.safetensors", f -> m.fit(Tensor.ones(4, 3), Tensor.ones(4, 2),
                    Fit.epochs(2).verbose(0).callbacks(new dev.isthmus.nn.callbacks.ModelCheckpoint(f))));
        }
    }

    @Test
    void checkpointIsAtomic(@TempDir Path dir) throws Exception {
        try (Sequential m = model()) {
            m.compile(new SGD(0.1f), Losses.mse());
            checkAtomic(dir, "ck.safetensors", f -> m.fit(Tensor.ones(4, 3), Tensor.ones(4, 2), Fit.epochs(1).verbose(0).checkpoint(f)));
        }
    }

    @Test
    void tokenizerSaveIsAtomic(@TempDir Path dir) throws Exception {
        Tokenizer t = new Tokenizer().fitOnTexts(List.of("a b c"));
        checkAtomic(dir, "tokenizer.txt", t::save);
    }

    @Test
    void wavWriteIsAtomic(@TempDir Path dir) throws Exception {
        checkAtomic(dir, "clip.wav", f -> Wav.write(f, new AudioClip(new float[] {0f, 0.5f}, 8000)));
    }

    @Test
    void failedModelSaveLeavesNoTemporary(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.safetensors");
        Files.createDirectories(file.resolve("in-the-way"));
        try (Sequential m = model()) {
            assertThrows(UncheckedIOException.class, () -> m.save(file));
        }
        assertEquals(List.of("model.safetensors"), names(dir));
    }
}
