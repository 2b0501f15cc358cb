package dev.isthmus.samples.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.data.Tokenizer;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.samples.TrainOptions;
import dev.isthmus.samples.data.SentimentSentences.Sentence;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextFeaturesTest {

    /** 3 sources x 2 labels x 50 sentences, each text unique. */
    private static List<Sentence> corpus() {
        List<Sentence> all = new ArrayList<>();
        for (String source : List.of("imdb", "yelp", "amazon")) {
            for (int label = 0; label < 2; label++) {
                for (int i = 0; i < 50; i++) {
                    all.add(new Sentence((label == 1 ? "good " : "bad ") + source + " sentence number " + i, label, source));
                }
            }
        }
        return all;
    }

    @Test
    void splitPartitionsTheSentencesAndHoldsOutAFifthOfEverySourceAndLabel() {
        List<Sentence> all = corpus();
        TextFeatures.Split split = TextFeatures.split(all, 0.2, 42);
        assertEquals(240, split.train().size());
        assertEquals(60, split.test().size());
        Set<Sentence> seen = new HashSet<>(split.train());
        for (Sentence s : split.test()) {
            assertTrue(seen.add(s), "in both parts: " + s);
        }
        assertEquals(new HashSet<>(all), seen);
        Map<String, Integer> testGroups = new HashMap<>();
        for (Sentence s : split.test()) {
            testGroups.merge(s.source() + s.label(), 1, Integer::sum);
        }
        assertEquals(6, testGroups.size());
        testGroups.values().forEach(n -> assertEquals(10, n));
    }

    @Test
    void splitIsShuffledAndDeterministicForASeed() {
        List<Sentence> all = corpus();
        TextFeatures.Split a = TextFeatures.split(all, 0.2, 7);
        TextFeatures.Split b = TextFeatures.split(all, 0.2, 7);
        TextFeatures.Split c = TextFeatures.split(all, 0.2, 8);
        assertEquals(a, b);
        assertNotEquals(a.test(), c.test());
        // not grouped by source or label: the last tenth of the training part (the validation split) mixes them
        List<Sentence> tail = a.train().subList(a.train().size() - 24, a.train().size());
        assertTrue(tail.stream().map(Sentence::source).distinct().count() > 1);
        assertTrue(tail.stream().map(Sentence::label).distinct().count() > 1);
    }

    @Test
    void splitRejectsAFractionOutsideTheOpenUnitInterval() {
        assertThrows(IllegalArgumentException.class, () -> TextFeatures.split(corpus(), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> TextFeatures.split(corpus(), 1, 1));
        assertThrows(IllegalArgumentException.class, () -> TextFeatures.split(corpus().subList(0, 1), 0.2, 1));
    }

    @Test
    void tokenizerKnowsOnlyTrainingWordsAndMapsOthersToOov() {
        List<Sentence> train = List.of(new Sentence("Great food!", 1, "yelp"), new Sentence("great, GREAT service", 1, "yelp"),
                new Sentence("awful food", 0, "yelp"));
        Tokenizer t = TextFeatures.fitTokenizer(train, 0);
        assertEquals(1, t.wordIndex().get(TextFeatures.OOV_TOKEN));
        assertEquals(2, t.wordIndex().get("great"));
        assertEquals(3, t.wordIndex().get("food"));
        assertEquals(6, t.vocabularySize()); // padding, OOV, great, food, service, awful
        Tensor x = TextFeatures.features(t, List.of("great unseen food"));
        assertArrayEquals(new int[] {1, TextFeatures.MAX_LEN}, x.shape());
        int[] row = x.toIntArray();
        assertArrayEquals(new int[] {2, 1, 3}, java.util.Arrays.copyOf(row, 3));
        for (int i = 3; i < row.length; i++) {
            assertEquals(0, row[i], "padding goes after the words");
        }
    }

    @Test
    void longSentencesKeepTheirLastWords() {
        StringBuilder text = new StringBuilder();
        List<Sentence> train = new ArrayList<>();
        for (int i = 0; i < TextFeatures.MAX_LEN + 5; i++) {
            text.append("w").append(i).append(' ');
        }
        train.add(new Sentence(text.toString(), 1, "imdb"));
        Tokenizer t = TextFeatures.fitTokenizer(train, 0);
        int[] row = TextFeatures.features(t, TextFeatures.texts(train)).toIntArray();
        assertEquals(TextFeatures.MAX_LEN, row.length);
        assertEquals(t.wordIndex().get("w5"), row[0]);
        assertEquals(t.wordIndex().get("w" + (TextFeatures.MAX_LEN + 4)), row[TextFeatures.MAX_LEN - 1]);
    }

    @Test
    void labelsAreClassIdsInOrder() {
        List<Sentence> s = List.of(new Sentence("a", 1, "imdb"), new Sentence("b", 0, "imdb"), new Sentence("c", 1, "amazon"));
        Tensor y = TextFeatures.labels(s);
        assertArrayEquals(new int[] {3}, y.shape());
        assertArrayEquals(new int[] {1, 0, 1}, y.toIntArray());
    }

    @Test
    void predictExplainsBadInputAndAMissingTraining(@TempDir Path dir) {
        TrainOptions o = new TrainOptions(new PrintStream(new ByteArrayOutputStream()), dir.resolve("cache"), dir.resolve("out"),
                42, 42, null, null, false, false);
        TextSample sample = new TextSample();
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class, () -> sample.predict(o, "  "));
        assertTrue(blank.getMessage().contains("empty"), blank.getMessage());
        IllegalStateException untrained = assertThrows(IllegalStateException.class, () -> sample.predict(o, "great food"));
        assertTrue(untrained.getMessage().contains("train text"), untrained.getMessage());
    }

    @Test
    void predictRejectsTextWithNoKnownWords(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        java.nio.file.Files.createDirectories(out);
        TextFeatures.fitTokenizer(List.of(new Sentence("great food", 1, "yelp")), 0).save(out.resolve(TextSample.TOKENIZER_FILE));
        TrainOptions o = new TrainOptions(new PrintStream(new ByteArrayOutputStream()), dir.resolve("cache"), out,
                42, 42, null, null, false, false);
        TextSample sample = new TextSample();
        IllegalArgumentException punctuation = assertThrows(IllegalArgumentException.class, () -> sample.predict(o, "?!"));
        assertTrue(punctuation.getMessage().contains("no words"), punctuation.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> sample.predict(o, "zzqx blorf"));
        assertTrue(unknown.getMessage().contains("none of the words"), unknown.getMessage());
    }
}
