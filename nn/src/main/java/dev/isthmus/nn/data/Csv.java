package dev.isthmus.nn.data;

import dev.isthmus.nn.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Numeric CSV files as a {@link Dataset}: a header line names the columns; every other column than
 * the label becomes one float32 feature, in file order. Cells may be quoted (RFC 4180: a doubled
 * quote inside quotes is a quote); a cell that is empty or not a number, or a row with another cell
 * count than the header, raises {@link MalformedCsvException} naming the file, line and column.
 * The file is read line by line as the pass goes (once per pass), so it may be larger than memory.
 */
public final class Csv {
    private Csv() {
    }

    /**
     * Elements {features float32 [columns - 1], label float32 scalar} of {@code file}, whose header
     * must contain {@code labelColumn}.
     */
    public static Dataset read(Path file, String labelColumn) {
        List<String> header = header(file);
        int label = header.indexOf(labelColumn);
        if (label < 0) {
            throw new MalformedCsvException(file, 1, null, 0, "no column \"" + labelColumn + "\" in the header " + header);
        }
        return Dataset.fromIterators(() -> new Rows(file, header, label));
    }

    /** One pass over the file's rows; closing it (a pass left early) closes the file. */
    private static final class Rows implements java.util.Iterator<Tensor[]>, AutoCloseable {
            private final Path file;
            private final List<String> header;
            private final int label;
            private final BufferedReader in;
            private int line = 1;
            private String next;

            Rows(Path file, List<String> header, int label) {
                this.file = file;
                this.header = header;
                this.label = label;
                this.in = open(file);
                this.next = advance();
            }

            @Override
            public void close() throws IOException {
                in.close();
            }

            private String advance() {
                try {
                    String l;
                    do {
                        l = in.readLine();
                        line++;
                    } while (l != null && l.isBlank());
                    if (l == null) {
                        in.close();
                    }
                    return l;
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + file, e);
                }
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Tensor[] next() {
                List<String> cells = split(file, line, next);
                if (cells.size() != header.size()) {
                    throw new MalformedCsvException(file, line, null, 0, cells.size() + " cells, but the header has " + header.size());
                }
                float[] features = new float[header.size() - 1];
                float y = 0;
                for (int c = 0, f = 0; c < cells.size(); c++) {
                    float v = number(file, line, header.get(c), c + 1, cells.get(c));
                    if (c == label) {
                        y = v;
                    } else {
                        features[f++] = v;
                    }
                }
                next = advance();
                return new Tensor[] {Tensor.of(features, features.length), Tensor.of(new float[] {y})};
            }
    }

    /** The column names of {@code file}'s header line. */
    public static List<String> header(Path file) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String first = in.readLine();
            if (first == null) {
                throw new MalformedCsvException(file, 1, null, 0, "the file is empty; a header line is needed");
            }
            return split(file, 1, first);
        } catch (IOException e) {
            throw new DataFormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static BufferedReader open(Path file) {
        try {
            BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
            in.readLine(); // the header
            return in;
        } catch (IOException e) {
            throw new DataFormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static float number(Path file, int line, String column, int number, String cell) {
        String s = cell.strip();
        if (s.isEmpty()) {
            throw new MalformedCsvException(file, line, column, number, "empty cell; every cell must be a number");
        }
        try {
            return Float.parseFloat(s);
        } catch (NumberFormatException e) {
            throw new MalformedCsvException(file, line, column, number, "\"" + s + "\" is not a number");
        }
    }

    static List<String> split(Path file, int line, String text) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        if (quoted) {
            throw new MalformedCsvException(file, line, null, 0, "a quoted cell is not closed");
        }
        cells.add(cell.toString().strip());
        return cells;
    }
}
