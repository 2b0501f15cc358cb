package dev.isthmus.samples.data;

import java.nio.file.Path;

/**
 * A dataset file is malformed. The message names the file and the 1-based line at fault
 * ({@code 0} when the fault is not tied to one line, such as a wrong row count).
 */
public final class DatasetFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;

    public DatasetFormatException(Path file, int line, String problem) {
        this(file, line, problem, null);
    }

    public DatasetFormatException(Path file, int line, String problem, Throwable cause) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem, cause);
        this.file = file;
        this.line = line;
    }

    /** The malformed file. */
    public Path file() {
        return file;
    }

    /** The 1-based line at fault, or 0 when the fault concerns the whole file. */
    public int line() {
        return line;
    }
}
