package dev.isthmus.samples.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.data.AudioClip;
import dev.isthmus.nn.data.Wav;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AsteriskDigitsTest {

    @Test
    void membersAreTheTenDigitRecordings() {
        List<String> m = AsteriskDigits.members();
        assertEquals(10, m.size());
        assertEquals("usr/share/asterisk/sounds/en_US_f_Allison/digits/0.wav", m.getFirst());
        assertEquals("usr/share/asterisk/sounds/en_US_f_Allison/digits/9.wav", m.getLast());
    }

    @Test
    void loadsPlacedEightKilohertzFilesAsOneSecondSixteenKilohertzClips(@TempDir Path tmp) throws IOException {
        // Place 8 kHz recordings by hand, as a previous extraction would have: nothing is fetched.
        DebianPackage pkg = new DebianPackage(new DatasetCache(tmp), AsteriskDigits.PACKAGE);
        for (int d = 0; d < 10; d++) {
            float[] x = SpeechFeaturesTest.toneBurst(800, 2000 + 200 * d, 1200, 0.3f, 8000);
            Path local = pkg.localPath(AsteriskDigits.members().get(d));
            Files.createDirectories(local.getParent());
            Wav.write(local, new AudioClip(x, 8000));
            Files.writeString(DebianPackage.checksumFile(local),
                    DebianPackage.sha256(local) + "  " + local.getFileName() + "\n");
        }
        assertTrue(AsteriskDigits.isCached(tmp));
        List<SpokenDigits.Clip> clips = AsteriskDigits.load(tmp);
        assertEquals(10, clips.size());
        for (int d = 0; d < 10; d++) {
            SpokenDigits.Clip c = clips.get(d);
            assertEquals(d, c.label());
            assertEquals(AsteriskDigits.VOICE, c.voice());
            assertEquals(16000, c.samples().length);
            assertEquals(0f, c.samples()[0]);
            assertEquals(0f, c.samples()[15999]);
            assertTrue(Math.abs(c.samples()[8000]) + Math.abs(c.samples()[8003]) > 0.01, "tone in the middle");
        }
    }

    @Test
    void realRecordingsWhenCached() {
        Path cache = DatasetCache.resolve(null).root();
        Assumptions.assumeTrue(AsteriskDigits.isCached(cache), "the Asterisk recordings are not in the dataset cache "
                + cache + " (fill it with AsteriskDigits.load, which runs apt-get download "
                + AsteriskDigits.PACKAGE + "); tests do not touch the network");
        List<SpokenDigits.Clip> clips = AsteriskDigits.load(cache);
        assertEquals(10, clips.size());
        for (int d = 0; d < 10; d++) {
            SpokenDigits.Clip c = clips.get(d);
            assertEquals(d, c.label());
            assertEquals(16000, c.samples().length);
            float peak = 0;
            for (float v : c.samples()) {
                peak = Math.max(peak, Math.abs(v));
            }
            assertTrue(peak > 0.05, "digit " + d + " is (nearly) silent: peak " + peak);
            assertEquals(SpeechFeatures.FRAMES, SpeechFeatures.features(c.samples()).length);
        }
    }
}
