package dev.isthmus.samples.data;

import dev.isthmus.samples.data.RObject.RDoubles;
import dev.isthmus.samples.data.RObject.RInts;
import dev.isthmus.samples.data.RObject.RList;
import dev.isthmus.samples.data.RObject.RStrings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The MovieLens "ml-latest-small" ratings (GroupLens, 2016 snapshot): 100,004 ratings (0.5 to 5
 * stars in half steps) of 9,066 movies by 671 users, with each movie's title and genres.
 *
 * <p>Read, without R, from the {@code movielens} data frame of the R package {@code dslabs} as
 * shipped in Debian's {@value #PACKAGE} package: the object lives in the package's lazy-load
 * database ({@value #RDB_MEMBER} and its index {@value #RDX_MEMBER}), read by
 * {@link RSerialization#readLazyLoad}. The data frame has the columns {@code movieId},
 * {@code title}, {@code year}, {@code genres} (a factor), {@code userId}, {@code rating} and
 * {@code timestamp}, one row per rating. dslabs split the year off the title, so {@link #titles()}
 * holds titles without "(1995)"; the few movies whose original title had no year have an NA title
 * there and are absent from {@code titles}.
 *
 * @param ratings the ratings, in the data frame's row order
 * @param titles  each movie's title, by movie id (movies with an NA title are absent)
 * @param genres  each movie's genres, such as {@code Adventure|Children|Fantasy}, by movie id
 */
public record MovieLens(List<Rating> ratings, Map<Integer, String> titles, Map<Integer, String> genres) {

    /** The Debian package that ships the data. */
    public static final String PACKAGE = "r-cran-dslabs";
    /** The lazy-load database, as a path inside the package. */
    public static final String RDB_MEMBER = "usr/lib/R/site-library/dslabs/data/Rdata.rdb";
    /** The lazy-load database's index, as a path inside the package. */
    public static final String RDX_MEMBER = "usr/lib/R/site-library/dslabs/data/Rdata.rdx";
    /** The name of the R object. */
    public static final String OBJECT = "movielens";
    /** Number of ratings. */
    public static final int RATINGS = 100_004;
    /** Number of distinct users. */
    public static final int USERS = 671;
    /** Number of distinct movies. */
    public static final int MOVIES = 9_066;

    /**
     * One rating.
     *
     * @param userId    the user, 1..{@value #USERS}
     * @param movieId   the movie (MovieLens ids, not contiguous)
     * @param rating    0.5 to 5 stars, in half steps
     * @param timestamp seconds since 1970-01-01 UTC
     */
    public record Rating(int userId, int movieId, float rating, long timestamp) {
    }

    public MovieLens {
        ratings = List.copyOf(ratings);
        titles = Collections.unmodifiableMap(new LinkedHashMap<>(titles));
        genres = Collections.unmodifiableMap(new LinkedHashMap<>(genres));
    }

    /**
     * Loads the ratings from the cache folder, fetching and extracting the Debian package first
     * if the files are not there yet (or fail their checksum).
     *
     * @param cacheDir the dataset cache root, such as {@code DatasetCache.resolve(option).root()}
     * @throws DatasetUnavailableException when the package cannot be fetched or unpacked
     * @throws DatasetFormatException      when a file is malformed
     */
    public static MovieLens load(Path cacheDir) {
        Map<String, Path> files = new DebianPackage(new DatasetCache(cacheDir), PACKAGE)
                .extract(List.of(RDX_MEMBER, RDB_MEMBER));
        return parse(files.get(RDX_MEMBER), files.get(RDB_MEMBER));
    }

    /** Whether the data is already extracted and verified in the cache (runs and fetches nothing). */
    public static boolean isCached(Path cacheDir) {
        return new DebianPackage(new DatasetCache(cacheDir), PACKAGE).isExtracted(List.of(RDX_MEMBER, RDB_MEMBER));
    }

    /**
     * Reads the {@value #OBJECT} data frame from a lazy-load database.
     *
     * @throws DatasetFormatException naming the file and the problem (a missing column, a wrong
     *                                type, an NA or out-of-range value and its row)
     */
    public static MovieLens parse(Path rdx, Path rdb) {
        return fromDataFrame(RSerialization.readLazyLoad(rdx, rdb, OBJECT), rdb);
    }

    /**
     * Converts the {@value #OBJECT} data frame, already read; {@code file} is named in errors.
     *
     * @throws DatasetFormatException when a column is missing, of a wrong type or length, or holds
     *                                an NA or out-of-range id, rating or timestamp
     */
    public static MovieLens fromDataFrame(RObject value, Path file) {
        if (!(value instanceof RList df) || !df.isDataFrame()) {
            throw new DatasetFormatException(file, 0, "'" + OBJECT + "' should be a data frame, not "
                    + RSerialization.kind(value));
        }
        int rows = df.rowCount();
        int[] userId = integerColumn(df, "userId", rows, file);
        int[] movieId = integerColumn(df, "movieId", rows, file);
        long[] timestamp = longColumn(df, "timestamp", rows, file);
        double[] rating = doubleColumn(df, "rating", rows, file);
        String[] title = textColumn(df, "title", rows, file);
        String[] genre = textColumn(df, "genres", rows, file);

        List<Rating> ratings = new ArrayList<>(rows);
        Map<Integer, String> titles = new LinkedHashMap<>();
        Map<Integer, String> genres = new LinkedHashMap<>();
        for (int i = 0; i < rows; i++) {
            String where = "'" + OBJECT + "' row " + (i + 1) + ": ";
            if (userId[i] <= 0 || movieId[i] <= 0) {
                throw new DatasetFormatException(file, 0, where + "userId " + userId[i] + " or movieId " + movieId[i]
                        + " is not a positive id");
            }
            double r = rating[i];
            if (!(r >= 0.5 && r <= 5.0 && r * 2 == Math.rint(r * 2))) {
                throw new DatasetFormatException(file, 0, where + "rating " + r + " is not 0.5 to 5 in half steps");
            }
            if (timestamp[i] < 0) {
                throw new DatasetFormatException(file, 0, where + "negative timestamp " + timestamp[i]);
            }
            ratings.add(new Rating(userId[i], movieId[i], (float) r, timestamp[i]));
            if (title[i] != null) {
                titles.putIfAbsent(movieId[i], title[i]);
            }
            if (genre[i] != null) {
                genres.putIfAbsent(movieId[i], genre[i]);
            }
        }
        return new MovieLens(ratings, titles, genres);
    }

    /** The number of distinct users. */
    public int userCount() {
        Set<Integer> users = new HashSet<>();
        for (Rating r : ratings) {
            users.add(r.userId());
        }
        return users.size();
    }

    /** The number of distinct movies rated. */
    public int movieCount() {
        Set<Integer> movies = new HashSet<>();
        for (Rating r : ratings) {
            movies.add(r.movieId());
        }
        return movies.size();
    }

    // ---------------------------------------------------------------- columns

    private static RObject column(RList df, String name, int rows, Path file) {
        RObject col = df.get(name);
        if (col == null) {
            throw new DatasetFormatException(file, 0, "'" + OBJECT + "' has no column '" + name + "' (it has "
                    + df.names() + ")");
        }
        if (!(col instanceof RObject.RVector v) || v.length() != rows) {
            throw new DatasetFormatException(file, 0, "'" + OBJECT + "' column '" + name + "' should be a vector of "
                    + rows + " rows, not " + RSerialization.kind(col));
        }
        return col;
    }

    private static DatasetFormatException na(Path file, String name, int row) {
        return new DatasetFormatException(file, 0, "'" + OBJECT + "' column '" + name + "' is NA at row " + (row + 1));
    }

    /** An integer column; integral doubles are accepted too (readr often reads ids as doubles). */
    private static int[] integerColumn(RList df, String name, int rows, Path file) {
        long[] v = longColumn(df, name, rows, file);
        int[] out = new int[rows];
        for (int i = 0; i < rows; i++) {
            if (v[i] < Integer.MIN_VALUE || v[i] > Integer.MAX_VALUE) {
                throw new DatasetFormatException(file, 0, "'" + OBJECT + "' column '" + name + "' row " + (i + 1)
                        + ": " + v[i] + " is out of the integer range");
            }
            out[i] = (int) v[i];
        }
        return out;
    }

    private static long[] longColumn(RList df, String name, int rows, Path file) {
        RObject col = column(df, name, rows, file);
        long[] out = new long[rows];
        if (col instanceof RInts ints && !ints.isFactor()) {
            for (int i = 0; i < rows; i++) {
                if (ints.values()[i] == RObject.NA_INTEGER) {
                    throw na(file, name, i);
                }
                out[i] = ints.values()[i];
            }
            return out;
        }
        if (col instanceof RDoubles d) {
            for (int i = 0; i < rows; i++) {
                double x = d.values()[i];
                if (Double.isNaN(x)) {
                    throw na(file, name, i);
                }
                if (x != Math.rint(x) || Math.abs(x) > 1e15) {
                    throw new DatasetFormatException(file, 0, "'" + OBJECT + "' column '" + name + "' row " + (i + 1)
                            + ": " + x + " is not a whole number");
                }
                out[i] = (long) x;
            }
            return out;
        }
        throw new DatasetFormatException(file, 0, "'" + OBJECT + "' column '" + name
                + "' should be integer or double, not " + RSerialization.kind(col));
    }

    private static double[] doubleColumn(RList df, String name, int rows, Path file) {
        RObject col = column(df, name, rows, file);
        double[] out = new double[rows];
        if (col instanceof RDoubles d) {
            for (int i = 0; i < rows; i++) {
                if (Double.isNaN(d.values()[i])) {
                    throw na(file, name, i);
                }
                out[i] = d.values()[i];
            }
            return out;
        }
        if (col instanceof RInts ints && !ints.isFactor()) {
            for (int i = 0; i < rows; i++) {
                if (ints.values()[i] == RObject.NA_INTEGER) {
                    throw na(file, name, i);
                }
                out[i] = ints.values()[i];
            }
            return out;
        }
        throw new DatasetFormatException(file, 0, "'" + OBJECT + "' column '" + name
                + "' should be double, not " + RSerialization.kind(col));
    }

    /** A text column, character or factor (its levels, row by row); NA stays {@code null}. */
    private static String[] textColumn(RList df, String name, int rows, Path file) {
        RObject col = column(df, name, rows, file);
        if (col instanceof RStrings s) {
            return s.values();
        }
        if (!(col instanceof RInts f) || !f.isFactor()) {
            throw new DatasetFormatException(file, 0, "'" + OBJECT + "' column '" + name
                    + "' should be character or a factor, not " + RSerialization.kind(col));
        }
        List<String> levels = f.levels();
        String[] out = new String[rows];
        for (int i = 0; i < rows; i++) {
            int code = f.values()[i];
            if (code == RObject.NA_INTEGER) {
                continue;
            }
            if (code < 1 || code > levels.size()) {
                throw new DatasetFormatException(file, 0, "'" + OBJECT + "' column '" + name + "' row " + (i + 1)
                        + ": factor code " + code + " is outside its " + levels.size() + " levels");
            }
            out[i] = levels.get(code - 1);
        }
        return out;
    }

    @Override
    public String toString() {
        return "MovieLens[" + ratings.size() + " ratings, " + titles.size() + " titles, " + genres.size() + " genres]";
    }
}
