package dev.isthmus.samples.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.samples.data.RSerializationTest.RBytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MovieLens} on a small hand-built {@code movielens} data frame, and on the real data when
 * it is already in the dataset cache (tests never fetch); otherwise those are skipped, with the
 * reason shown.
 */
class MovieLensTest {

    private static final int NA = RObject.NA_INTEGER;

    /** A three-row {@code movielens} frame, in dslabs' column order, with the given ratings. */
    private static byte[] frame(double... ratings) {
        RBytes b = new RBytes().header(3);
        b.flags(19, true, true, false).ints(7);
        b.flags(13, false, false, false).ints(3, 31, 1029, 31);                          // movieId
        b.flags(16, false, false, false).ints(3).chars("Dangerous Minds").chars("Dumbo")
                .chars("Dangerous Minds");                                                // title
        b.flags(13, false, false, false).ints(3, 1995, 1941, 1995);                      // year
        b.flags(13, true, true, false).ints(3, 2, 1, 2);                                 // genres
        b.attr("levels").strings("Animation|Children", "Drama");
        b.attr("class").strings("factor").nil();
        b.flags(13, false, false, false).ints(3, 1, 1, 7);                               // userId
        b.flags(14, false, false, false).ints(3).doubles(ratings);                       // rating
        b.flags(13, false, false, false).ints(3, 1260759144, 1260759179, 851866703);     // timestamp
        b.flags(2, false, false, true).symbol("names")
                .strings("movieId", "title", "year", "genres", "userId", "rating", "timestamp");
        b.flags(2, false, false, true).ref(2).strings("data.frame"); // "class", first seen in the factor
        b.flags(2, false, false, true).symbol("row.names").flags(13, false, false, false).ints(2, NA, -3);
        return b.nil().bytes();
    }

    @Test
    void readsAHandBuiltLazyLoadDatabase(@TempDir Path tmp) throws IOException {
        Path rdx = tmp.resolve("Rdata.rdx");
        Path rdb = tmp.resolve("Rdata.rdb");
        RSerializationTest.writeLazyLoad(rdx, rdb, Map.of("movielens", frame(2.5, 3, 4.5)), 1);
        MovieLens m = MovieLens.parse(rdx, rdb);
        assertEquals(3, m.ratings().size());
        assertEquals(new MovieLens.Rating(1, 31, 2.5f, 1260759144L), m.ratings().getFirst());
        assertEquals(new MovieLens.Rating(7, 31, 4.5f, 851866703L), m.ratings().get(2));
        assertEquals(Map.of(31, "Dangerous Minds", 1029, "Dumbo"), m.titles());
        assertEquals(Map.of(31, "Drama", 1029, "Animation|Children"), m.genres());
        assertEquals(2, m.userCount());
        assertEquals(2, m.movieCount());
    }

    @Test
    void ratingOutOfRangeNamesTheRow(@TempDir Path tmp) throws IOException {
        Path rdx = tmp.resolve("Rdata.rdx");
        Path rdb = tmp.resolve("Rdata.rdb");
        RSerializationTest.writeLazyLoad(rdx, rdb, Map.of("movielens", frame(2.5, 7, 4.5)), 1);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> MovieLens.parse(rdx, rdb));
        assertEquals(rdb, e.file());
        assertTrue(e.getMessage().contains("row 2") && e.getMessage().contains("rating 7.0"), e.getMessage());
    }

    @Test
    void missingObjectIsAFormatError(@TempDir Path tmp) throws IOException {
        Path rdx = tmp.resolve("Rdata.rdx");
        Path rdb = tmp.resolve("Rdata.rdb");
        RSerializationTest.writeLazyLoad(rdx, rdb, Map.of("murders", frame(1, 2, 3)), 1);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> MovieLens.parse(rdx, rdb));
        assertTrue(e.getMessage().contains("no object 'movielens'"), e.getMessage());
    }

    // ---------------------------------------------------------------- the real data

    private static MovieLens data;
    private static String unavailable;

    private static synchronized MovieLens movieLens() {
        if (data == null && unavailable == null) {
            Path cache = DatasetCache.resolve(null).root();
            if (!MovieLens.isCached(cache)) {
                unavailable = "MovieLens (Debian " + MovieLens.PACKAGE + ") is not in the cache " + cache
                        + " (MovieLens.load(cache) fetches it once)";
            } else {
                try {
                    data = MovieLens.load(cache);
                } catch (DatasetUnavailableException | UncheckedIOException e) {
                    unavailable = "MovieLens in " + cache + " is unreadable: " + e.getMessage();
                }
            }
        }
        Assumptions.assumeTrue(data != null, () -> unavailable);
        return data;
    }

    @Test
    void realDataHasTheDocumentedCounts() {
        MovieLens m = movieLens();
        assertEquals(MovieLens.RATINGS, m.ratings().size());
        assertEquals(MovieLens.USERS, m.userCount());
        assertEquals(MovieLens.MOVIES, m.movieCount());
        assertEquals(MovieLens.MOVIES, m.genres().size());
        // Five movies lost their title when dslabs split the year off (no "(year)" to match).
        assertEquals(MovieLens.MOVIES - 5, m.titles().size());
        assertFalse(m.titles().containsKey(108583));
        double mean = m.ratings().stream().mapToDouble(MovieLens.Rating::rating).average().orElseThrow();
        assertEquals(3.5436, mean, 1e-4);
    }

    @Test
    void realDataFirstAndLastRows() {
        MovieLens m = movieLens();
        assertEquals(new MovieLens.Rating(1, 31, 2.5f, 1260759144L), m.ratings().getFirst());
        assertEquals(new MovieLens.Rating(671, 6565, 3.5f, 1074784724L), m.ratings().getLast());
        assertEquals("Dangerous Minds", m.titles().get(31));
        assertEquals("Drama", m.genres().get(31));
        assertEquals("Dumbo", m.titles().get(1029));
        assertEquals("Animation|Children|Drama|Musical", m.genres().get(1029));
    }
}
