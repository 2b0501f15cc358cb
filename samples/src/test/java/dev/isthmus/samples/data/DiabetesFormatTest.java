package dev.isthmus.samples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiabetesFormatTest {

    private static Path gzip(Path file, String text) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    private static DatasetFormatException malformed(Path file, int columns, int rows) {
        return assertThrows(DatasetFormatException.class, () -> Diabetes.readGzipTable(file, columns, rows));
    }

    @Test
    void readsWhitespaceSeparatedGzipRows(@TempDir Path tmp) throws IOException {
        Path f = gzip(tmp.resolve("ok.csv.gz"), "1 2.5 3\n4\t5e1  -6\n\n");
        double[][] t = Diabetes.readGzipTable(f, 3, 2);
        assertArrayEquals(new double[] {1, 2.5, 3}, t[0]);
        assertArrayEquals(new double[] {4, 50, -6}, t[1]);
    }

    @Test
    void unparsableValueNamesTheFileAndLine(@TempDir Path tmp) throws IOException {
        Path f = gzip(tmp.resolve("bad_value.csv.gz"), "1 2\n3 4\n5 oops\n7 8\n");
        DatasetFormatException e = malformed(f, 2, 4);
        assertEquals(f, e.file());
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("bad_value.csv.gz:3"), e.getMessage());
        assertTrue(e.getMessage().contains("oops"), e.getMessage());
    }

    @Test
    void wrongNumberOfValuesNamesTheLine(@TempDir Path tmp) throws IOException {
        Path f = gzip(tmp.resolve("short_row.csv.gz"), "1 2\n3\n");
        DatasetFormatException e = malformed(f, 2, 2);
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("short_row.csv.gz:2"), e.getMessage());
    }

    @Test
    void nonFiniteValueIsRejected(@TempDir Path tmp) throws IOException {
        Path f = gzip(tmp.resolve("nan.csv.gz"), "1\nNaN\n");
        assertEquals(2, malformed(f, 1, 2).line());
    }

    @Test
    void wrongRowCountIsReportedForTheFile(@TempDir Path tmp) throws IOException {
        Path f = gzip(tmp.resolve("rows.csv.gz"), "1\n2\n");
        DatasetFormatException e = malformed(f, 1, 442);
        assertTrue(e.getMessage().contains("rows.csv.gz") && e.getMessage().contains("442"), e.getMessage());
        assertEquals(3, malformed(gzip(tmp.resolve("extra.csv.gz"), "1\n2\n3\n"), 1, 2).line(), "the first surplus line");
    }

    @Test
    void fileThatIsNotGzipIsAFormatErrorAtLineOne(@TempDir Path tmp) throws IOException {
        Path f = Files.writeString(tmp.resolve("plain.csv.gz"), "1 2 3\n");
        DatasetFormatException e = malformed(f, 3, 1);
        assertEquals(1, e.line());
        assertTrue(e.getMessage().contains("plain.csv.gz:1"), e.getMessage());
    }

    @Test
    void truncatedGzipNamesTheLineWhereItBroke(@TempDir Path tmp) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            sb.append(i).append(' ').append(i * 0.37).append('\n');
        }
        Path whole = gzip(tmp.resolve("whole.csv.gz"), sb.toString());
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = Files.write(tmp.resolve("cut.csv.gz"), Arrays.copyOf(bytes, bytes.length / 2));
        DatasetFormatException e = malformed(cut, 2, 2000);
        assertTrue(e.line() > 1 && e.line() < 2000, "line " + e.line());
        assertTrue(e.getMessage().contains("cut.csv.gz:" + e.line()), e.getMessage());
    }

    @Test
    void parsePairsFeaturesWithTargets(@TempDir Path tmp) throws IOException {
        StringBuilder data = new StringBuilder();
        StringBuilder target = new StringBuilder();
        for (int i = 0; i < Diabetes.ROWS; i++) {
            for (int j = 0; j < Diabetes.FEATURES; j++) {
                data.append(j == 0 ? "" : " ").append(i * 10 + j);
            }
            data.append('\n');
            target.append(i + 0.5).append('\n');
        }
        Diabetes d = Diabetes.parse(gzip(tmp.resolve("d.gz"), data.toString()), gzip(tmp.resolve("t.gz"), target.toString()));
        assertEquals(Diabetes.ROWS, d.rows());
        assertEquals(4419.0, d.x()[441][9]);
        assertEquals(441.5, d.y()[441]);
    }
}
