package dev.isthmus.nn.data;

import java.nio.file.Path;

/**
 * A CSV cell (or row) that cannot be read: the message names the file, the 1-based line and the
 * column (its header name and 1-based number), e.g.
 * {@code data.csv: line 7: column "age" (2): "n/a" is not a number}.
 */
public class MalformedCsvException extends MalformedDataFileException {
    private final String column;
    private final int columnNumber;

    public MalformedCsvException(Path file, int line, String column, int columnNumber, String problem) {
        super(file, line, (column == null ? "" : "column \"" + column + "\" (" + columnNumber + "): ") + problem);
        this.column = column;
        this.columnNumber = columnNumber;
    }

    /** The header name of the column, or null for a problem with the whole row. */
    public String column() {
        return column;
    }

    /** The 1-based column number, or 0 for a problem with the whole row. */
    public int columnNumber() {
        return columnNumber;
    }
}
