package dev.isthmus.nn.data;

import java.nio.file.Path;

/**
 * A text data file (such as a saved {@link Tokenizer}) with a problem on a given line: the
 * line-numbered kind of {@link DataFormatException}.
 */
public class MalformedDataFileException extends DataFormatException {
    /** The 1-based line of the problem. */
    private final int line;

    /** {@code problem} on 1-based {@code line} of {@code file}. */
    public MalformedDataFileException(Path file, int line, String problem) {
        super(file, "line " + line + ": " + problem);
        this.line = line;
    }

    /** The file with the problem; the same as {@link #path()}. */
    public Path file() {
        return path();
    }

    /** The 1-based line number of the problem. */
    public int line() {
        return line;
    }
}
