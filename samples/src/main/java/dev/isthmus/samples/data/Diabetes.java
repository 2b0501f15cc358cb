package dev.isthmus.samples.data;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The diabetes regression dataset (Efron et al., 2004): 442 patients, 10 baseline features
 * (age, sex, body-mass index, mean blood pressure and six blood serum measurements) and a
 * quantitative measure of disease progression one year later.
 *
 * <p>The raw, unscaled values are read from the copy shipped in Debian's
 * {@value #PACKAGE} package ({@code diabetes_data_raw.csv.gz} and
 * {@code diabetes_target.csv.gz}, gzip-compressed, whitespace-separated), fetched into the
 * dataset cache by {@link DebianPackage}. Unlike scikit-learn's {@code load_diabetes()}, the
 * features are not scaled (sex is coded 1 or 2); use a {@link Standardizer}.
 *
 * @param x the features, {@value #ROWS} rows of {@value #FEATURES} values
 * @param y the targets, {@value #ROWS} values
 */
public record Diabetes(double[][] x, double[] y) {

    /** The Debian package that ships the data files. */
    public static final String PACKAGE = "python3-sklearn";
    /** The features file, as a path inside the package. */
    public static final String DATA_MEMBER =
            "usr/lib/python3/dist-packages/sklearn/datasets/data/diabetes_data_raw.csv.gz";
    /** The targets file, as a path inside the package. */
    public static final String TARGET_MEMBER =
            "usr/lib/python3/dist-packages/sklearn/datasets/data/diabetes_target.csv.gz";
    /** Number of rows. */
    public static final int ROWS = 442;
    /** Number of features. */
    public static final int FEATURES = 10;
    /** Feature names, in column order. */
    public static final List<String> FEATURE_NAMES =
            List.of("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6");

    private static final Pattern SEPARATOR = Pattern.compile("\\s+");

    public Diabetes {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        if (x.length != y.length) {
            throw new IllegalArgumentException("x has " + x.length + " rows but y has " + y.length);
        }
    }

    /**
     * Loads the dataset from the cache folder, fetching and extracting the Debian package
     * first if the files are not there yet (or fail their checksum).
     *
     * @param cacheDir the dataset cache root, such as {@code DatasetCache.resolve(option).root()}
     * @throws DatasetUnavailableException when the package cannot be fetched or unpacked
     * @throws DatasetFormatException      when a file is malformed
     */
    public static Diabetes load(Path cacheDir) {
        Map<String, Path> files = new DebianPackage(new DatasetCache(cacheDir), PACKAGE)
                .extract(List.of(DATA_MEMBER, TARGET_MEMBER));
        return parse(files.get(DATA_MEMBER), files.get(TARGET_MEMBER));
    }

    /** Whether the dataset is already extracted and verified in the cache (runs and fetches nothing). */
    public static boolean isCached(Path cacheDir) {
        return new DebianPackage(new DatasetCache(cacheDir), PACKAGE)
                .isExtracted(List.of(DATA_MEMBER, TARGET_MEMBER));
    }

    /**
     * Parses the two gzip files: {@value #ROWS} lines of {@value #FEATURES} whitespace-separated
     * numbers, and {@value #ROWS} lines of one number.
     *
     * @throws DatasetFormatException naming the file and line of the first problem
     */
    public static Diabetes parse(Path dataGz, Path targetGz) {
        double[][] x = readGzipTable(dataGz, FEATURES, ROWS);
        double[][] t = readGzipTable(targetGz, 1, ROWS);
        double[] y = new double[t.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = t[i][0];
        }
        return new Diabetes(x, y);
    }

    /** Number of rows. */
    public int rows() {
        return y.length;
    }

    /**
     * Reads a gzip-compressed table of whitespace-separated finite numbers with exactly
     * {@code columns} values per line and exactly {@code rows} lines (blank lines are skipped).
     *
     * @throws DatasetFormatException naming the file and line of the first problem
     */
    public static double[][] readGzipTable(Path file, int columns, int rows) {
        List<double[]> table = new ArrayList<>(rows);
        int lineNo = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                lineNo++;
                String s = line.strip();
                if (s.isEmpty()) {
                    continue;
                }
                String[] fields = SEPARATOR.split(s);
                if (fields.length != columns) {
                    throw new DatasetFormatException(file, lineNo, "expected " + columns + " value"
                            + (columns == 1 ? "" : "s") + " but found " + fields.length + ": '" + abbreviate(s) + "'");
                }
                double[] row = new double[columns];
                for (int j = 0; j < columns; j++) {
                    try {
                        row[j] = Double.parseDouble(fields[j]);
                    } catch (NumberFormatException e) {
                        throw new DatasetFormatException(file, lineNo, "value " + (j + 1) + " is not a number: '"
                                + abbreviate(fields[j]) + "'", e);
                    }
                    if (!Double.isFinite(row[j])) {
                        throw new DatasetFormatException(file, lineNo, "value " + (j + 1) + " is not finite: '"
                                + abbreviate(fields[j]) + "'");
                    }
                }
                table.add(row);
                if (table.size() > rows) {
                    throw new DatasetFormatException(file, lineNo, "more than the expected " + rows + " rows");
                }
            }
        } catch (ZipException | EOFException e) {
            // The fault is met while reading the line after the last one read.
            throw new DatasetFormatException(file, lineNo + 1, "not a valid gzip stream ("
                    + e.getMessage() + ")" + (lineNo > 0 ? " after " + lineNo + " good line"
                    + (lineNo == 1 ? "" : "s") : ""), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (table.size() != rows) {
            throw new DatasetFormatException(file, 0, "expected " + rows + " rows but found " + table.size());
        }
        return table.toArray(new double[0][]);
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
