package dev.isthmus.samples.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.samples.data.SentimentSentences.Sentence;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parsing on small files written here; the checks on the real data run only when it is already
 * in the dataset cache (tests never fetch), and are otherwise skipped with the reason.
 */
class SentimentSentencesTest {

    /** As in the real files: one line, the placeholder record last. */
    private static final String GOOD = "[{\"text\":\"Loved it.  \",\"class\":1},{\"text\":\"Crust is not good.\",\"class\":0},"
            + "{\"text\":\"\",\"class\":null}]";

    private static DatasetFormatException malformed(Path tmp, String name, String json) throws IOException {
        Path f = Files.writeString(tmp.resolve(name), json);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> SentimentSentences.parse(f, "t"));
        assertEquals(f, e.file());
        assertTrue(e.getMessage().contains(name), e.getMessage());
        return e;
    }

    @Test
    void parsesRecordsVerbatimAndDropsTheEmptyLastRecord(@TempDir Path tmp) throws IOException {
        Path f = Files.writeString(tmp.resolve("yelp.json"), GOOD);
        List<Sentence> s = SentimentSentences.parse(f, "yelp");
        assertEquals(List.of(new Sentence("Loved it.  ", 1, "yelp"), new Sentence("Crust is not good.", 0, "yelp")), s);
        // Without the placeholder, every record is kept.
        Path g = Files.writeString(tmp.resolve("g.json"), "[\n {\"text\": \"a\", \"class\": 0, \"extra\": true}\n]\n");
        assertEquals(List.of(new Sentence("a", 0, "x")), SentimentSentences.parse(g, "x"));
        assertEquals(List.of(), SentimentSentences.parse(Files.writeString(tmp.resolve("e.json"), "[]"), "x"));
    }

    @Test
    void emptyRecordIsOnlyAllowedLast(@TempDir Path tmp) throws IOException {
        DatasetFormatException e = malformed(tmp, "middle.json",
                "[{\"text\":\"a\",\"class\":1},\n{\"text\":\"\",\"class\":null},\n{\"text\":\"b\",\"class\":0}]");
        assertTrue(e.getMessage().contains("record 1 (0-based)"), e.getMessage());
        assertEquals(2, e.line());
        e = malformed(tmp, "emptytext.json", "[{\"text\":\"a\",\"class\":1},{\"text\":\"  \",\"class\":0}]");
        assertTrue(e.getMessage().contains("record 1 (0-based): empty text"), e.getMessage());
        e = malformed(tmp, "emptylabelled.json", "[{\"text\":\"a\",\"class\":1},{\"text\":\"\",\"class\":1}]");
        assertTrue(e.getMessage().contains("record 1 (0-based): empty text"), e.getMessage());
        e = malformed(tmp, "nullclass.json", "[{\"text\":\"a\",\"class\":null}]");
        assertTrue(e.getMessage().contains("record 0 (0-based): \"class\" is null, not 0 or 1"), e.getMessage());
    }

    @Test
    void badLabelsAndFieldsNameTheRecord(@TempDir Path tmp) throws IOException {
        assertTrue(malformed(tmp, "two.json", "[{\"text\":\"a\",\"class\":1},{\"text\":\"b\",\"class\":2}]")
                .getMessage().contains("record 1 (0-based): \"class\" is 2, not 0 or 1"));
        assertTrue(malformed(tmp, "string.json", "[{\"text\":\"a\",\"class\":\"1\"}]")
                .getMessage().contains("record 0 (0-based): \"class\" is \"1\""));
        assertTrue(malformed(tmp, "float.json", "[{\"text\":\"a\",\"class\":1.0}]").getMessage().contains("not 0 or 1"));
        assertTrue(malformed(tmp, "nolabel.json", "[{\"text\":\"a\"}]").getMessage().contains("no \"class\" field"));
        assertTrue(malformed(tmp, "notext.json", "[{\"class\":0}]").getMessage().contains("no \"text\" field"));
        assertTrue(malformed(tmp, "pair.json", "[[\"a\", 1]]").getMessage().contains("expected an object"));
        assertTrue(malformed(tmp, "object.json", "{\"text\":\"a\",\"class\":1}").getMessage().contains("expected a JSON array"));
    }

    @Test
    void malformedJsonIsAFormatErrorWithItsLine(@TempDir Path tmp) throws IOException {
        DatasetFormatException e = malformed(tmp, "broken.json", "[{\"text\":\"a\",\"class\":1},\n{\"text\":\"b\" \"class\":0}]");
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("broken.json:2") && e.getMessage().contains("not valid JSON"), e.getMessage());
        assertTrue(malformed(tmp, "unclosed.json", "[{\"text\":\"a\",\"class\":1}").getMessage().contains("not"));
        assertTrue(malformed(tmp, "trailing.json", "[] []").getMessage().contains("after the closing"));
        malformed(tmp, "empty.json", "");
    }

    // ---------------------------------------------------------------- the real data, if cached

    private static List<Sentence> data;
    private static String unavailable;

    private static synchronized List<Sentence> real() {
        if (data == null && unavailable == null) {
            Path cache = DatasetCache.resolve(null).root();
            if (!SentimentSentences.isCached(cache)) {
                unavailable = "the sentiment sentences are not in the dataset cache " + cache
                        + " (SentimentSentences.load(cache) fetches npm's " + SentimentSentences.PACKAGE + "@"
                        + SentimentSentences.VERSION + " once)";
            } else {
                try {
                    data = SentimentSentences.load(cache);
                } catch (DatasetUnavailableException | UncheckedIOException e) {
                    unavailable = "the sentiment sentences in " + cache + " are unreadable: " + e.getMessage();
                }
            }
        }
        Assumptions.assumeTrue(data != null, () -> unavailable);
        return data;
    }

    @Test
    void realDataHas1000BalancedSentencesPerSource() {
        List<Sentence> all = real();
        assertEquals(3000, all.size());
        for (String source : SentimentSentences.SOURCES) {
            List<Sentence> s = all.stream().filter(x -> x.source().equals(source)).toList();
            assertEquals(1000, s.size(), source);
            assertEquals(500, s.stream().filter(x -> x.label() == 1).count(), source + " positives");
            assertTrue(s.stream().noneMatch(x -> x.text().isBlank()), source);
        }
        assertEquals(new Sentence("Wow... Loved this place.", 1, "yelp"), all.get(1000));
        assertEquals("A very, very, very slow-moving, aimless movie about a distressed, drifting young man.  ",
                all.getFirst().text());
        assertEquals(new Sentence("You can not answer calls with the unit, never worked once!", 0, "amazon"), all.getLast());
    }
}
