package dev.isthmus.samples.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpokenDigitsTest {

    /** Excerpt of {@code espeak-ng --voices=en} (1.51). */
    static final String VOICES_EN = """
            Pty Language       Age/Gender VoiceName          File                 Other Languages
             2  en-gb           --/M      English_(Great_Britain) gmw/en               (en 2)
             3  en-uk           --/M      english-mb-en1     mb/mb-en1            (en-gb 3)(en 2)
             2  en-us           --/M      English_(America)  gmw/en-US            (en 3)
             5  en-gb-scotland  --/M      English_(Scotland) gmw/en-GB-scotland   (en 4)
             5  en-us           --/F      us-mbrola-1        mb/mb-us1            (en 8)
             9  en              --/F      en-german-1        mb/mb-de1-en        \s
             5  en-029          --/M      English_(Caribbean) gmw/en-029           (en 10)
             5  variant         --/M      Storm              !v/Storm             (en-us 5)
             5  en-us-nyc       --/M      English_(America,_New_York_City) gmw/en-US-nyc        \s
            """;

    /** Excerpt of {@code espeak-ng --voices=variant} (1.51), with its misaligned long name and a name with a space. */
    static final String VOICES_VARIANT = """
            Pty Language       Age/Gender VoiceName          File                 Other Languages
             5  variant         --/M      Adam               !v/adam             \s
             5  variant         35/M      Denis              !v/Denis            \s
             5  variant         --/M      Half-LifeAnnouncementSystem !v/announcer         \s
             5  variant         --/M      Mr_Serious         !v/Mr serious       \s
             5  variant         --/M      Storm              !v/Storm             (en-us 5)
             5  variant         --/F      female2            !v/f2               \s
             5  variant         --/M      klatt              !v/klatt            \s
            """;

    @Test
    void parsesAccentsWithoutMbrolaAndVariants() {
        assertEquals(List.of("gmw/en", "gmw/en-US", "gmw/en-GB-scotland", "gmw/en-029", "gmw/en-US-nyc"),
                SpokenDigits.parseAccents(VOICES_EN));
    }

    @Test
    void parsesVariantFileNamesIncludingSpacesAndMisalignedColumns() {
        assertEquals(List.of("adam", "Denis", "announcer", "Mr serious", "Storm", "f2", "klatt"),
                SpokenDigits.parseVariants(VOICES_VARIANT));
    }

    static List<String> variants(int n) {
        List<String> v = new ArrayList<>();
        v.add("");
        for (int i = 1; i < n; i++) {
            v.add("v" + i);
        }
        return v;
    }

    static final List<String> ACCENTS = List.of("gmw/en", "gmw/en-US", "gmw/en-GB-scotland", "gmw/en-GB-x-gbclan",
            "gmw/en-GB-x-rp", "gmw/en-GB-x-gbcwmd", "gmw/en-029", "gmw/en-US-nyc");

    @Test
    void pairingGivesEachVariantOneAccentAndSpreadsAccentsEvenly() {
        List<String> voices = SpokenDigits.pairVoices(ACCENTS, variants(100), 42);
        assertEquals(100, voices.size());
        assertEquals(100, new HashSet<>(voices).size());
        Map<String, Integer> perAccent = new HashMap<>();
        Set<String> variantsSeen = new HashSet<>();
        for (String v : voices) {
            int plus = v.indexOf('+');
            perAccent.merge(plus < 0 ? v : v.substring(0, plus), 1, Integer::sum);
            assertTrue(variantsSeen.add(plus < 0 ? "" : v.substring(plus + 1)), "variant used twice: " + v);
        }
        assertEquals(ACCENTS.size(), perAccent.size());
        perAccent.values().forEach(n -> assertTrue(n == 12 || n == 13, perAccent.toString()));
        assertEquals(voices, SpokenDigits.pairVoices(ACCENTS, variants(100), 42));
        assertNotEquals(voices, SpokenDigits.pairVoices(ACCENTS, variants(100), 43));
    }

    @Test
    void splitIsVoiceDisjointAndCoversAllLabelsOnBothSides() {
        List<String> voices = SpokenDigits.pairVoices(ACCENTS, variants(100), 7);
        List<SpokenDigits.Spec> plan = SpokenDigits.plan(voices, 7, 3);
        assertEquals(100 * 10 * 3, plan.size());
        Set<String> trainVoices = new HashSet<>();
        Set<String> testVoices = new HashSet<>();
        Set<Integer> trainLabels = new TreeSet<>();
        Set<Integer> testLabels = new TreeSet<>();
        for (int i = 0; i < plan.size(); i++) {
            SpokenDigits.Spec s = plan.get(i);
            assertEquals(i, s.index());
            (s.test() ? testVoices : trainVoices).add(s.voice());
            (s.test() ? testLabels : trainLabels).add(s.label());
            assertTrue(s.speed() >= SpokenDigits.MIN_SPEED && s.speed() <= SpokenDigits.MAX_SPEED);
            assertTrue(s.pitch() >= SpokenDigits.MIN_PITCH && s.pitch() <= SpokenDigits.MAX_PITCH);
            assertTrue(s.amplitude() >= SpokenDigits.MIN_AMPLITUDE && s.amplitude() <= SpokenDigits.MAX_AMPLITUDE);
        }
        assertTrue(java.util.Collections.disjoint(trainVoices, testVoices), "a voice is on both sides");
        assertEquals(100, trainVoices.size() + testVoices.size());
        assertEquals(20, testVoices.size());
        assertEquals(10, trainLabels.size());
        assertEquals(10, testLabels.size());
        assertEquals(testVoices, SpokenDigits.chooseTestVoices(voices, 7));
        assertEquals(plan, SpokenDigits.plan(voices, 7, 3), "same seed, same plan");
        assertNotEquals(testVoices, SpokenDigits.chooseTestVoices(voices, 8));
    }

    @Test
    void quickModeChoosesTwentyVoicesForTwoHundredClipsAndStillHoldsSomeOut() {
        List<String> voices = SpokenDigits.chooseVoices(SpokenDigits.pairVoices(ACCENTS, variants(100), 1),
                SpokenDigits.QUICK_VOICES, 1);
        List<SpokenDigits.Spec> plan = SpokenDigits.plan(voices, 1, 1);
        assertEquals(200, plan.size());
        Map<Boolean, Set<Integer>> labels = plan.stream().collect(Collectors.partitioningBy(SpokenDigits.Spec::test,
                Collectors.mapping(SpokenDigits.Spec::label, Collectors.toSet())));
        assertEquals(10, labels.get(true).size());
        assertEquals(10, labels.get(false).size());
        assertEquals(4, SpokenDigits.chooseTestVoices(voices, 1).size());
        assertThrows(IllegalArgumentException.class, () -> SpokenDigits.chooseTestVoices(List.of("one"), 1));
        assertEquals(1, SpokenDigits.chooseTestVoices(List.of("a", "b"), 1).size());
    }

    @Test
    void tinyGenerationMakesOneSecondClipsOfSpeechAndIsCached(@TempDir Path tmp) throws IOException {
        Assumptions.assumeTrue(SpokenDigits.toolsAvailable(),
                "espeak-ng and sox are not installed here (apt-get install -y espeak-ng sox); skipping synthesis");
        List<String> voices = List.of("gmw/en-US+f2", "gmw/en-GB-scotland");
        SpokenDigits d = SpokenDigits.load(tmp, 5, 1, voices);
        assertTrue(d.wasGenerated());
        assertEquals(20, d.train().size() + d.test().size());
        assertEquals(1, d.testVoices().size());
        assertEquals(1, d.trainVoices().size());
        assertTrue(java.util.Collections.disjoint(d.trainVoices(), d.testVoices()));
        for (List<SpokenDigits.Clip> side : List.of(d.train(), d.test())) {
            assertEquals(Set.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
                    side.stream().map(SpokenDigits.Clip::label).collect(Collectors.toSet()));
            for (SpokenDigits.Clip c : side) {
                assertEquals(16000, c.samples().length, c.toString());
                double energy = 0;
                float peak = 0;
                for (float v : c.samples()) {
                    energy += v * v;
                    peak = Math.max(peak, Math.abs(v));
                }
                assertTrue(peak > 0.05 && Math.sqrt(energy / 16000) > 0.005, c + " is (nearly) silent: peak " + peak);
                // Trimmed and centred: the first and last 50 ms are silence.
                for (int i = 0; i < 800; i++) {
                    assertEquals(0f, c.samples()[i], c + " starts with sound");
                    assertEquals(0f, c.samples()[15999 - i], c + " ends with sound");
                }
            }
        }
        String manifest = Files.readString(d.folder().resolve(SpokenDigits.MANIFEST_FILE));
        assertTrue(manifest.contains("seed\t5\n") && manifest.contains("\tgmw/en-US+f2\t"), manifest);

        SpokenDigits again = SpokenDigits.load(tmp, 5, 1, voices);
        assertFalse(again.wasGenerated(), "a second load reads the cache");
        assertEquals(d.testVoices(), again.testVoices());
        for (int i = 0; i < d.train().size(); i++) {
            assertTrue(java.util.Arrays.equals(d.train().get(i).samples(), again.train().get(i).samples()));
        }

        Path pcm = d.folder().resolve(SpokenDigits.CLIPS_FILE);
        byte[] bytes = Files.readAllBytes(pcm);
        bytes[16000] ^= 1;
        Files.write(pcm, bytes);
        SpokenDigits repaired = SpokenDigits.load(tmp, 5, 1, voices);
        assertTrue(repaired.wasGenerated(), "a checksum mismatch regenerates");
        assertTrue(java.util.Arrays.equals(d.train().getFirst().samples(), repaired.train().getFirst().samples()),
                "synthesis is reproducible");
    }
}
