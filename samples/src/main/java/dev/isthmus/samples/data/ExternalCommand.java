package dev.isthmus.samples.data;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * An external command, or a pipeline of commands, run to completion with a timeout. Every stage
 * runs under {@code LC_ALL=C} (plus any variables given), the first reads an empty standard input,
 * and the error outputs and the last stage's standard output go to files in a temporary folder
 * that are read back and deleted; the {@link Outcome} says how the run went.
 */
final class ExternalCommand {

    private static final int TAIL_LINES = 12;
    private static final int TAIL_CHARS = 2000;

    private final List<List<String>> stages;
    private final Path directory;
    private final Map<String, String> environment;
    private final boolean mergeErrors;

    private ExternalCommand(List<List<String>> stages, Path directory, Map<String, String> environment,
                            boolean mergeErrors) {
        this.stages = stages;
        this.directory = directory;
        this.environment = environment;
        this.mergeErrors = mergeErrors;
    }

    /** One command. */
    static ExternalCommand of(List<String> command) {
        return pipeline(List.of(command));
    }

    /** Commands whose standard outputs feed the next one's standard input. */
    static ExternalCommand pipeline(List<List<String>> stages) {
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("no commands to run");
        }
        return new ExternalCommand(stages.stream().map(List::copyOf).toList(), null, Map.of("LC_ALL", "C"), false);
    }

    /**
     * The same, run in {@code dir}; its output files then go in a temporary folder next to it
     * (without a working folder, in the system's temporary folder).
     */
    ExternalCommand in(Path dir) {
        return new ExternalCommand(stages, dir, environment, mergeErrors);
    }

    /** The same with one more environment variable. */
    ExternalCommand with(String name, String value) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put(name, value);
        return new ExternalCommand(stages, directory, Map.copyOf(env), mergeErrors);
    }

    /** The same with the last stage's error output merged into its standard output. */
    ExternalCommand mergingErrors() {
        return new ExternalCommand(stages, directory, environment, true);
    }

    /** The command line as a shell would show it: {@code a b | c d}. */
    @Override
    public String toString() {
        return stages.stream().map(s -> String.join(" ", s)).collect(Collectors.joining(" | "));
    }

    /**
     * Runs the command and waits at most {@code timeout} for all of it, killing it when that
     * passes or this thread is interrupted.
     *
     * @throws IOException when the temporary output folder cannot be created
     */
    Outcome run(Duration timeout) throws IOException {
        int n = stages.size();
        Path logs = directory == null ? Files.createTempDirectory("isthmus-log-")
                : Files.createTempDirectory(directory.getParent(), "log-");
        try {
            List<ProcessBuilder> builders = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ProcessBuilder pb = new ProcessBuilder(stages.get(i));
                if (directory != null) {
                    pb.directory(directory.toFile());
                }
                pb.environment().putAll(environment);
                if (mergeErrors && i == n - 1) {
                    pb.redirectErrorStream(true);
                } else {
                    pb.redirectError(logs.resolve("stderr-" + i).toFile());
                }
                builders.add(pb);
            }
            builders.getFirst().redirectInput(ProcessBuilder.Redirect.from(nullFile()));
            builders.getLast().redirectOutput(logs.resolve("stdout").toFile());
            int[] exits = new int[n];
            Arrays.fill(exits, -1);
            String[] errors = new String[n];
            Arrays.fill(errors, "");
            List<Process> processes;
            try {
                processes = n == 1 ? List.of(builders.getFirst().start()) : ProcessBuilder.startPipeline(builders);
            } catch (IOException e) {
                return new Outcome(exits, errors, "", "could not be started (" + e.getMessage() + ")", true);
            }
            String failure = null;
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                for (int i = 0; i < n; i++) {
                    Process p = processes.get(i);
                    if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        processes.forEach(Process::destroyForcibly);
                        failure = "timed out after " + timeout.toSeconds() + " s";
                        break;
                    }
                    exits[i] = p.exitValue();
                }
            } catch (InterruptedException e) {
                processes.forEach(Process::destroyForcibly);
                Thread.currentThread().interrupt();
                failure = "was interrupted";
            }
            for (int i = 0; i < n; i++) {
                errors[i] = readQuietly(logs.resolve("stderr-" + i));
            }
            return new Outcome(exits, errors, readQuietly(logs.resolve("stdout")), failure, false);
        } finally {
            CachedFiles.deleteTree(logs);
        }
    }

    /** How a run went. */
    static final class Outcome {
        private final int[] exits;
        private final String[] errors;
        private final String output;
        private final String failure;
        private final boolean startFailed;

        private Outcome(int[] exits, String[] errors, String output, String failure, boolean startFailed) {
            this.exits = exits;
            this.errors = errors;
            this.output = output;
            this.failure = failure;
            this.startFailed = startFailed;
        }

        /** The last stage's exit status; -1 when it did not finish. */
        int exit() {
            return exit(exits.length - 1);
        }

        /** One stage's exit status; -1 when it did not finish. */
        int exit(int stage) {
            return exits[stage];
        }

        /** The last stage's standard output (with its error output, if merged); "" when unreadable. */
        String output() {
            return output;
        }

        /** Why the run did not finish ({@code could not be started (…)}, {@code timed out …}, …), or null. */
        String failure() {
            return failure;
        }

        /** Whether the command could not be started at all (a missing program, say). */
        boolean startFailed() {
            return startFailed;
        }

        /** Whether every stage finished with status 0. */
        boolean succeeded() {
            return failure == null && Arrays.stream(exits).allMatch(e -> e == 0);
        }

        /** The failure, or {@code exited with status N} (of the last stage). */
        String status() {
            return failure != null ? failure : "exited with status " + exit();
        }

        /** {@link #status()}, followed by {@code ; its output ends with:} and the tail when there is one. */
        String report() {
            String tail = tail();
            return status() + (tail.isEmpty() ? "" : "; its output ends with:\n" + tail);
        }

        /** The last lines of the last stage's error output (its standard output when that is empty). */
        String tail() {
            return tail(exits.length - 1);
        }

        /**
         * The last non-blank lines (at most {@value #TAIL_LINES}, {@value #TAIL_CHARS} characters)
         * of one stage's error output, or of the last stage's standard output when that is empty.
         */
        String tail(int stage) {
            String text = errors[stage];
            if (text.isBlank() && stage == exits.length - 1) {
                text = output;
            }
            List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
            String joined = String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
            return joined.length() > TAIL_CHARS ? "..." + joined.substring(joined.length() - TAIL_CHARS) : joined;
        }
    }

    /** Whether this process runs as root (effective uid 0; off Linux, user name {@code root}). */
    static boolean runningAsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).strip().split("\\s+");
                    return f.length > 1 && f[1].equals("0"); // effective uid
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return "root".equals(System.getProperty("user.name"));
    }

    private static File nullFile() {
        return new File(System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
