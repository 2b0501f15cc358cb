package dev.isthmus.kernels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a kernel source file of this module (tests run with the module folder as working directory). */
final class KernelSourceText {
    private KernelSourceText() {
    }

    static String read(String name) {
        try {
            return Files.readString(Path.of("src/main/cuda", name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
