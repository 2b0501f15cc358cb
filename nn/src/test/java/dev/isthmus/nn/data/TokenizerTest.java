package dev.isthmus.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {
    private static final List<String> KERAS_DOCS = List.of("The cat sat on the mat.", "The dog ate my homework.");

    private static void assertSequences(int[][] expected, List<int[]> actual) {
        assertEquals(expected.length, actual.size(), "number of sequences");
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual.get(i), "sequence " + i);
        }
    }

    private static Map<String, Integer> ordered(Object... wordThenIndex) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < wordThenIndex.length; i += 2) {
            m.put((String) wordThenIndex[i], (Integer) wordThenIndex[i + 1]);
        }
        return m;
    }

    @Test
    void kerasDocsExampleIndexesByDescendingCountThenFirstOccurrence() {
        Tokenizer tok = new Tokenizer().fitOnTexts(KERAS_DOCS);
        assertEquals(ordered("the", 1, "cat", 2, "sat", 3, "on", 4, "mat", 5, "dog", 6, "ate", 7, "my", 8,
                "homework", 9), tok.wordIndex());
        assertEquals(List.of("the", "cat", "sat", "on", "mat", "dog", "ate", "my", "homework"),
                List.copyOf(tok.wordIndex().keySet()));
        assertSequences(new int[][] {{1, 2, 3, 4, 1, 5}, {1, 6, 7, 8, 9}}, tok.textsToSequences(KERAS_DOCS));
        assertEquals(3, tok.wordCounts().get("the"));
        assertEquals(1, tok.wordCounts().get("homework"));
        assertEquals(2, tok.documentCount());
        assertEquals(10, tok.vocabularySize());
        assertEquals("homework", tok.indexWord().get(9));
    }

    @Test
    void numWordsEmitsOnlyIndicesBelowItButTheIndexKeepsEveryWord() {
        Tokenizer tok = Tokenizer.builder().numWords(3).build().fitOnTexts(KERAS_DOCS);
        assertSequences(new int[][] {{1, 2, 1}, {1}}, tok.textsToSequences(KERAS_DOCS));
        assertEquals(9, tok.wordIndex().size());
        assertEquals(3, tok.vocabularySize());
    }

    @Test
    void oovTokenTakesIndexOneAndUnknownWordsMapToIt() {
        Tokenizer tok = Tokenizer.builder().oovToken("<OOV>").build().fitOnTexts(KERAS_DOCS);
        assertEquals(ordered("<OOV>", 1, "the", 2, "cat", 3, "sat", 4, "on", 5, "mat", 6, "dog", 7, "ate", 8,
                "my", 9, "homework", 10), tok.wordIndex());
        assertSequences(new int[][] {{2, 1, 4, 5, 2, 1}}, tok.textsToSequences(List.of("The bird sat on the hat")));
        assertEquals(11, tok.vocabularySize());
    }

    @Test
    void withNumWordsAndOovTheRareWordsBecomeOov() {
        Tokenizer tok = Tokenizer.builder().numWords(3).oovToken("<OOV>").build().fitOnTexts(KERAS_DOCS);
        // <OOV>:1, the:2, cat:3 -> only 1 and 2 are below numWords
        assertSequences(new int[][] {{2, 1, 1, 1}}, tok.textsToSequences(List.of("the cat sat unicorn")));
    }

    @Test
    void unknownWordsAreDroppedWithoutOovToken() {
        Tokenizer tok = new Tokenizer().fitOnTexts(KERAS_DOCS);
        assertSequences(new int[][] {{1, 1, 2}, {}}, tok.textsToSequences(List.of("The bird and the CAT", "zebra")));
    }

    @Test
    void defaultFiltersStripPunctuationButKeepApostrophesAndLowerCase() {
        Tokenizer tok = new Tokenizer();
        assertEquals(List.of("hello", "world", "don't", "stop", "x", "y"),
                tok.tokenize("Hello,WORLD!\tDon't   stop...\nx-y"));
        Tokenizer keepCase = Tokenizer.builder().lower(false).filters("").split(",").build();
        assertEquals(List.of("A b", "C!", "d"), keepCase.tokenize("A b,,C!,d,"));
    }

    @Test
    void charLevelMakesEveryCharacterATokenWithoutFiltering() {
        Tokenizer tok = Tokenizer.builder().charLevel(true).build().fitOnTexts(List.of("Abca!"));
        assertEquals(ordered("a", 1, "b", 2, "c", 3, "!", 4), tok.wordIndex());
        assertSequences(new int[][] {{1, 2, 3, 1, 4}}, tok.textsToSequences(List.of("abca!")));
    }

    @Test
    void chineseTextSplitsIntoOneTokenPerCharacter() {
        Tokenizer tok = new Tokenizer();
        List<String> tokens = tok.tokenize("这是一个示例文本");
        assertEquals(List.of("这", "是", "一", "个", "示", "例", "文", "本"), tokens);
        tok.fitOnTexts(List.of("这是一个示例文本"));
        assertEquals(8, tok.wordIndex().size());
        assertSequences(new int[][] {{1, 2, 3, 4, 5, 6, 7, 8}}, tok.textsToSequences(List.of("这是一个示例文本")));
    }

    @Test
    void mixedScriptsSplitCjkCharactersAndKeepLatinWordsWhole() {
        Tokenizer tok = new Tokenizer();
        assertEquals(List.of("我", "爱", "java"), tok.tokenize("我爱Java"));
        assertEquals(List.of("i", "love", "東", "京", "and", "ひ", "ら", "カ", "タ", "한", "국", "어", "x2"),
                tok.tokenize("I love東京, and ひらカタ 한국어x2!"));
    }

    @Test
    void sequencesToTextsRoundTripsTheNormalisedText() {
        Tokenizer tok = new Tokenizer().fitOnTexts(KERAS_DOCS);
        List<String> texts = tok.sequencesToTexts(tok.textsToSequences(KERAS_DOCS));
        assertEquals(List.of("the cat sat on the mat", "the dog ate my homework"), texts);
        assertSequences(new int[][] {{1, 2, 3, 4, 1, 5}, {1, 6, 7, 8, 9}}, tok.textsToSequences(texts));
        Tokenizer cjk = new Tokenizer().fitOnTexts(List.of("我爱Java"));
        assertEquals(List.of("我 爱 java"), cjk.sequencesToTexts(cjk.textsToSequences(List.of("我爱Java"))));
    }

    @Test
    void sequencesToTextsDropsUnknownIndicesOrWritesTheOovToken() {
        Tokenizer plain = Tokenizer.builder().numWords(3).build().fitOnTexts(KERAS_DOCS);
        assertEquals(List.of("the cat"), plain.sequencesToTexts(List.of(new int[] {0, 1, 2, 3, 99})));
        Tokenizer oov = Tokenizer.builder().numWords(3).oovToken("<OOV>").build().fitOnTexts(KERAS_DOCS);
        // as in Keras, padding 0 is not in the index, so it too becomes the OOV token
        assertEquals(List.of("<OOV> the <OOV> <OOV>"), oov.sequencesToTexts(List.of(new int[] {0, 2, 3, 99})));
    }

    @Test
    void fittingAgainAddsToTheCounts() {
        Tokenizer tok = new Tokenizer().fitOnTexts(List.of("b a")).fitOnTexts(List.of("a"));
        assertEquals(ordered("a", 1, "b", 2), tok.wordIndex());
        assertEquals(2, tok.documentCount());
    }

    @Test
    void convertingBeforeFitIsAnError() {
        var e = assertThrows(IllegalStateException.class, () -> new Tokenizer().textsToSequences(List.of("a")));
        assertTrue(e.getMessage().contains("fitOnTexts"), e.getMessage());
    }

    @Test
    void saveAndLoadRoundTripConfigIndexAndCounts(@TempDir Path dir) throws IOException {
        Tokenizer tok = Tokenizer.builder().numWords(5).oovToken("<OOV>").filters("!.,\t\\").split("|").build()
                .fitOnTexts(List.of("b|a|c\\d", "a|c.e"));
        Path file = dir.resolve("tok.txt");
        tok.save(file);
        Tokenizer back = Tokenizer.load(file);
        assertEquals(tok.wordIndex(), back.wordIndex());
        assertEquals(List.copyOf(tok.wordIndex().keySet()), List.copyOf(back.wordIndex().keySet()));
        assertEquals(tok.indexWord(), back.indexWord());
        assertEquals(tok.wordCounts(), back.wordCounts());
        assertEquals(tok.documentCount(), back.documentCount());
        assertEquals(List.of(5, "!.,\t\\", true, "|", false, "<OOV>"), List.of(back.numWords(), back.filters(),
                back.lower(), back.split(), back.charLevel(), back.oovToken()));
        List<String> probe = List.of("a|b|c|d|e|zzz");
        assertSequences(tok.textsToSequences(probe).toArray(int[][]::new), back.textsToSequences(probe));
        // after this every word has count 2, so the order is first occurrence (b before a), which the file keeps
        tok.fitOnTexts(List.of("b|d|e"));
        back.fitOnTexts(List.of("b|d|e"));
        assertEquals(List.of("<OOV>", "b", "a", "c", "d", "e"), List.copyOf(tok.wordIndex().keySet()));
        assertEquals(List.copyOf(tok.wordIndex().keySet()), List.copyOf(back.wordIndex().keySet()));
    }

    @Test
    void saveAndLoadKeepWhitespaceTokensOfCharLevelMode(@TempDir Path dir) throws IOException {
        Tokenizer tok = Tokenizer.builder().charLevel(true).build().fitOnTexts(List.of("a\tb\nc\\ \r"));
        Path file = dir.resolve("chars.txt");
        tok.save(file);
        Tokenizer back = Tokenizer.load(file);
        assertEquals(tok.wordIndex(), back.wordIndex());
        assertEquals(8, back.wordIndex().size());
    }

    @Test
    void malformedFileNamesTheFileAndLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.txt");
        Files.writeString(file, String.join("\n", "isthmus-tokenizer 1", "numWords\t0", "filters\t", "lower\ttrue",
                "split\t ", "charLevel\tfalse", "documentCount\t1", "words\t2", "the\t1\t2", "cat\tx\t1", ""));
        var e = assertThrows(MalformedDataFileException.class, () -> Tokenizer.load(file));
        assertEquals(10, e.line());
        assertEquals(file, e.file());
        assertTrue(e.getMessage().contains("bad.txt: line 10") && e.getMessage().contains("'x'"), e.getMessage());

        Files.writeString(file, "{\"word_index\": {}}\n");
        assertEquals(1, assertThrows(MalformedDataFileException.class, () -> Tokenizer.load(file)).line());

        Files.writeString(file, String.join("\n", "isthmus-tokenizer 1", "numWords\t0", "filters\t", "lower\tyes"));
        var bool = assertThrows(MalformedDataFileException.class, () -> Tokenizer.load(file));
        assertEquals(4, bool.line());
        assertTrue(bool.getMessage().contains("'yes'"), bool.getMessage());

        Files.writeString(file, String.join("\n", "isthmus-tokenizer 1", "numWords\t0", "filters\t", "lower\ttrue",
                "split\t ", "charLevel\tfalse", "documentCount\t1", "words\t3", "the\t1\t2", "cat\t2\t1"));
        var truncated = assertThrows(MalformedDataFileException.class, () -> Tokenizer.load(file));
        assertEquals(11, truncated.line());
        assertTrue(truncated.getMessage().contains("expected 3 word lines"), truncated.getMessage());
    }
}
