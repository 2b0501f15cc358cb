package dev.isthmus.samples.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.samples.SampleResult;
import dev.isthmus.samples.TrainOptions;
import dev.isthmus.samples.data.DatasetCache;
import dev.isthmus.samples.data.Fortunes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPT sample's pieces (the fortune splitter, the character vocabulary, the count baselines,
 * top-k sampling, the windows) on hand-made input; and, when the fortunes are in the dataset
 * cache (tests never fetch), its quick run beating the bigram baseline and continuing a prompt
 * from the saved model.
 */
class GptSampleTest {
    @Test
    void fortunesAreTheTextBetweenPercentLines() {
        assertEquals(List.of("one\n  line two", "three"), Fortunes.split("one\n  line two\n%\n\n%\nthree\n"));
        assertEquals(List.of("a % b"), Fortunes.split("a % b"));
    }

    @Test
    void charactersGoByFrequencyWithZeroForTheUnknown(@TempDir Path dir) throws Exception {
        Characters c = Characters.of("abbccc");
        assertEquals(4, c.size());
        assertArrayEquals(new int[] {1, 2, 3, 0}, c.encode("cbaz"));
        assertEquals("c", c.text(1));
        Path file = dir.resolve("chars.json");
        c.save(file);
        Characters back = Characters.load(file);
        assertArrayEquals(c.encode("zabc"), back.encode("zabc"));
    }

    @Test
    void baselinesAreAddOneCountsInBitsOnTheScoredPositions() {
        // training "abab", vocabulary {0, a=1, b=2}: unigram a 2/4, b 2/4 -> (2+1)/(4+3) each;
        // bigram a->b 2 of 2 -> (2+1)/(2+3), b->a 1 of 1 -> (1+1)/(1+3)
        int[] train = {1, 2, 1, 2};
        Tensor x = Tensor.of(dev.isthmus.nn.tensor.Device.CPU, new int[] {1, 2}, 1, 2);
        Tensor y = Tensor.of(new float[] {2, 1}, 1, 2);
        double[] bits = Baselines.bitsPerCharacter(train, x, y, 3);
        double ln2 = Math.log(2);
        assertEquals(-Math.log(3.0 / 7) / ln2, bits[0], 1e-12);
        assertEquals(-(Math.log(3.0 / 5) + Math.log(2.0 / 4)) / 2 / ln2, bits[1], 1e-12);
    }

    @Test
    void samplingDrawsAmongTheTopKAndNeverTheUnknown() {
        float[] logits = {100f, 1f, 5f, 4f, -3f};
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 200; i++) {
            int id = Generation.draw(logits, 1f, 2, r);
            assertTrue(id == 2 || id == 3, "drew " + id);
            assertEquals(2, Generation.draw(logits, 1f, 1, r));
        }
        assertThrows(IllegalArgumentException.class, () -> Generation.continueText(null, Characters.of("a"), "a", 1, 0f, 1, 1));
    }

    @Test
    void windowsAreInputsAndTheNextCharacters() {
        int[] ids = new int[3 * GptSample.CONTEXT + 5];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i % 7;
        }
        Tensor[] w = GptSample.windows(ids, 2);
        assertArrayEquals(new int[] {2, GptSample.CONTEXT}, w[0].shape());
        float[] x = w[0].cast(dev.isthmus.nn.tensor.DType.FLOAT32).toArray();
        float[] y = w[1].toArray();
        for (int i = 0; i < x.length; i++) {
            assertEquals(i % 7, (int) x[i]);
            assertEquals((i + 1) % 7, (int) y[i]);
        }
    }

    @Test
    void theQuickRunBeatsTheBigramAndContinuesAPrompt(@TempDir Path out) throws Exception {
        Path cache = DatasetCache.resolve(null).root();
        Assumptions.assumeTrue(Fortunes.isCached(cache), () -> "the fortunes are not in the dataset cache " + cache
                + " (`./isthmus train gpt` fetches Debian's " + Fortunes.PACKAGE + " once)");
        var printed = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(printed, true, StandardCharsets.UTF_8);
        TrainOptions o = new TrainOptions(console, cache, out, 1, TrainOptions.DEFAULT_DATA_SEED, null, null, true, false);
        SampleResult r = new GptSample().train(o);
        double bits = r.metrics().get("val_bits_per_char");
        assertTrue(bits < r.metrics().get("bigram_bits_per_char"), r.summary());
        assertTrue(r.metrics().get("bigram_bits_per_char") < r.metrics().get("unigram_bits_per_char"), r.summary());
        assertTrue(r.targetsMet());
        printed.reset();
        new GptSample().predict(o, "In the beginning");
        String continued = printed.toString(StandardCharsets.UTF_8);
        assertTrue(continued.startsWith("In the beginning") && continued.length() > "In the beginning".length() + 100,
                continued);
    }
}
