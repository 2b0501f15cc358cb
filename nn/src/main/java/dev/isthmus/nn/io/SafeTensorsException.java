package dev.isthmus.nn.io;

import dev.isthmus.nn.data.DataFormatException;
import java.nio.file.Path;

/** A safetensors file that is corrupt, hostile or does not fit what it is loaded into. */
public class SafeTensorsException extends DataFormatException {
    /** {@code file} is unusable because of {@code problem}, found at byte {@code offset}. */
    public SafeTensorsException(Path file, long offset, String problem) {
        super(file, offset, problem);
    }

    /** {@code file} is unusable because of {@code problem}. */
    public SafeTensorsException(Path file, String problem) {
        super(file, problem);
    }

    /** {@code file} is unusable because of {@code problem}, found through {@code cause}. */
    public SafeTensorsException(Path file, String problem, Throwable cause) {
        super(file, problem, cause);
    }
}
