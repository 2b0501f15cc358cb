package dev.isthmus.nn.fuzz;

import dev.isthmus.nn.tensor.CpuStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every fuzz target shares: the fuzzer's bytes as a file (the readers take paths), the rule
 * that only the reader's typed exceptions may escape, and the check that scoped memory is back at
 * its baseline after each input.
 */
final class FuzzInput {
    private static final Path DIR;
    private static final AtomicLong INPUTS = new AtomicLong();

    static {
        // in memory where there is a tmpfs: a disk write per input would be most of the fuzzing time
        Path shm = Path.of("/dev/shm");
        try {
            DIR = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "isthmus-fuzz") : Files.createTempDirectory("isthmus-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DIR.toFile().deleteOnExit();
    }

    private FuzzInput() {
    }

    /** {@code bytes} written to a file called {@code name} (the same file for every input of a target). */
    static Path file(String name, byte[] bytes) {
        INPUTS.incrementAndGet();
        Path p = DIR.resolve(name);
        p.toFile().deleteOnExit();
        try {
            Files.write(p, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /**
     * When fuzzing (JAZZER_FUZZ set), fails unless the target really ran at least {@code budget}
     * inputs: a guard against a build change that silently leaves only the seeds running.
     */
    static void checkFuzzed(long budget) {
        String fuzzing = System.getenv("JAZZER_FUZZ");
        if (fuzzing != null && !fuzzing.isEmpty() && INPUTS.get() < budget) {
            throw new AssertionError("JAZZER_FUZZ is set but only " + INPUTS.get() + " inputs ran, expected at least " + budget);
        }
    }

    @FunctionalInterface
    interface Read {
        void run() throws Exception;
    }

    /**
     * Runs {@code read}; an exception of one of the {@code allowed} types is the reader refusing bad
     * input and passes, anything else (and any scoped memory left behind) is a finding.
     */
    static void expectOnly(Set<Class<? extends Exception>> allowed, Read read) throws Exception {
        long baseline = CpuStorage.liveScopedBytes();
        try {
            read.run();
        } catch (Exception e) {
            if (allowed.stream().noneMatch(c -> c.isInstance(e))) {
                throw e;
            }
        }
        long left = CpuStorage.liveScopedBytes() - baseline;
        if (left != 0) {
            throw new IllegalStateException(left + " scoped bytes left after the input");
        }
    }
}
