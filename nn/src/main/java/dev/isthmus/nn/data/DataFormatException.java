package dev.isthmus.nn.data;

import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * A data file (image, audio, ...) that cannot be read: missing, unreadable, truncated, corrupt or
 * in an unsupported format. The message names the file, the problem and, where one is known, the
 * byte offset at which the problem was found, e.g.
 * {@code clip.wav: data chunk declares 32000 bytes but only 1200 remain (at byte offset 44)}.
 */
public class DataFormatException extends RuntimeException {
    private final transient Path path;
    /** The byte offset of the problem in the file, or -1 when none applies. */
    private final long offset;
    /** The problem, without the file name. */
    private final String problem;

    /** {@code path} cannot be read because of {@code problem}, at no particular offset. */
    public DataFormatException(Path path, String problem) {
        this(path, -1, problem, null);
    }

    /**
     * {@code path} cannot be read because of {@code problem}, found through {@code cause} (an I/O or decoder failure).
     */
    public DataFormatException(Path path, String problem, Throwable cause) {
        this(path, -1, problem, cause);
    }

    /** {@code path} cannot be read because of {@code problem}, found at byte {@code offset}. */
    public DataFormatException(Path path, long offset, String problem) {
        this(path, offset, problem, null);
    }

    /** @param offset byte offset of the problem in the file, or a negative value when none applies */
    public DataFormatException(Path path, long offset, String problem, Throwable cause) {
        super(path + ": " + problem + (offset >= 0 ? " (at byte offset " + offset + ")" : ""), cause);
        this.path = path;
        this.offset = offset;
        this.problem = problem;
    }

    /** The file that could not be read. */
    public Path path() {
        return path;
    }

    /** The byte offset in the file where the problem was found, when known. */
    public OptionalLong offset() {
        return offset >= 0 ? OptionalLong.of(offset) : OptionalLong.empty();
    }

    /** The problem alone, without the path and offset. */
    public String problem() {
        return problem;
    }
}
