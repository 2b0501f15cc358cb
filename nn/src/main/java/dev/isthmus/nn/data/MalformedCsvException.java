package dev.isthmus.nn.data;

import java.nio.file.Path;

/**
 * A CSV cell (or row) that cannot be read: the message names the file, the 1-based line and the
 * column (its header name and 1-based number), e.g.
 * {@code data.csv: line 7: column "age" (2): "n/a" is not a number}.
 */
public class MalformedCsvException extends MalformedDataFileException {
    /** The column's header name, or null for the whole row. */
    private final String column;
    /** The 1-based column number, or 0 for the whole row. */
    private final int columnNumber;

    /**
     * A problem with {@code column} (header name, or null for the whole row), number {@code columnNumber} (from 1;
     * 0 for the row), on 1-based {@code line} of {@code file}.
     */
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
