package dev.isthmus.samples.speech;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.data.AudioClip;
import dev.isthmus.nn.data.DataFormatException;
import dev.isthmus.nn.data.Wav;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.samples.TrainOptions;
import dev.isthmus.samples.Training;
import dev.isthmus.samples.data.SpeechFeatures;
import dev.isthmus.samples.data.SpokenDigits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The speech sample's pure pieces, on small clips made here: no dataset, no espeak-ng, no training. */
class SpeechSampleTest {

    /** {@code lead} zeros, then {@code n} samples of a sine at {@code hz}, then {@code tail} zeros. */
    static float[] tone(int lead, int n, int tail, double hz, int rate) {
        float[] x = new float[lead + n + tail];
        for (int i = 0; i < n; i++) {
            x[lead + i] = (float) (0.5 * Math.sin(2 * Math.PI * hz * i / rate) * (1 + 0.3 * Math.sin(2 * Math.PI * 3 * i / rate)));
        }
        return x;
    }

    @Test
    void cropKeepsTheTelephoneBandsAsAOneChannelImage() {
        int n = 2;
        float[] f = new float[n * SpeechFeatures.FRAMES * SpeechFeatures.N_MELS];
        for (int i = 0; i < f.length; i++) {
            f[i] = i; // sample, frame and band are recoverable from the value
        }
        Tensor c = SpeechInput.crop(Tensor.of(f, n, SpeechFeatures.FRAMES, SpeechFeatures.N_MELS));
        assertArrayEquals(new int[] {n, SpeechFeatures.FRAMES, SpeechInput.BANDS, 1}, c.shape());
        assertEquals(27, SpeechInput.BANDS);
        float[] out = c.toArray();
        for (int s = 0; s < n; s++) {
            for (int t = 0; t < SpeechFeatures.FRAMES; t += 25) {
                for (int b = 0; b < SpeechInput.BANDS; b++) {
                    int row = s * SpeechFeatures.FRAMES + t;
                    assertEquals(row * SpeechFeatures.N_MELS + SpeechInput.FIRST_BAND + b, out[row * SpeechInput.BANDS + b]);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> SpeechInput.crop(Tensor.zeros(1, 101, 27)));
        assertThrows(IllegalArgumentException.class, () -> SpeechInput.crop(Tensor.zeros(101, 40)));
    }

    @Test
    void inputOfClipsIsTheCroppedFeaturesOfEachClip() {
        float[] a = SpeechFeatures.centre(tone(0, 6000, 0, 500, 16000), SpeechFeatures.CLIP_SAMPLES);
        float[] b = SpeechFeatures.centre(tone(0, 8000, 0, 1500, 16000), SpeechFeatures.CLIP_SAMPLES);
        Tensor x = SpeechInput.of(List.of(a, b));
        assertArrayEquals(new int[] {2, 101, 27, 1}, x.shape());
        float[] fb = SpeechFeatures.features(b)[50];
        float[] xb = x.toArray();
        int base = (101 + 50) * 27;
        for (int k = 0; k < 27; k++) {
            assertEquals(fb[SpeechInput.FIRST_BAND + k], xb[base + k]);
        }
        Tensor y = SpeechInput.labels(List.of(new SpokenDigits.Clip(a, 3, "v"), new SpokenDigits.Clip(b, 9, "v")));
        assertArrayEquals(new int[] {3, 9}, y.toIntArray());
        assertArrayEquals(new int[] {2}, y.shape());
    }

    @Test
    void prepareResamplesTrimsAndCentresAnyRecording() {
        // 0.4 s of tone at 8 kHz after 0.3 s of silence, as a telephone recording might be
        float[] x = SpeechInput.prepare(new AudioClip(tone(2400, 3200, 4000, 700, 8000), 8000), "t.wav");
        assertEquals(SpeechFeatures.CLIP_SAMPLES, x.length);
        assertEquals(0f, x[100]);
        assertEquals(0f, x[x.length - 100]);
        assertTrue(Math.abs(x[8000]) > 0 || Math.abs(x[8001]) > 0, "the word sits in the middle");
        // longer than a second: the middle second is kept
        assertEquals(SpeechFeatures.CLIP_SAMPLES, SpeechInput.prepare(new AudioClip(tone(0, 48000, 0, 300, 24000), 24000), "l").length);

        var silent = assertThrows(IllegalArgumentException.class,
                () -> SpeechInput.prepare(new AudioClip(new float[16000], 16000), "quiet.wav"));
        assertTrue(silent.getMessage().contains("quiet.wav is silent"), silent.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SpeechInput.prepare(new AudioClip(new float[0], 16000), "e"));
    }

    @Test
    void bestPicksTheMostProbableDigitOfEachRow() {
        float[] p = new float[30];
        p[7] = 0.6f;
        p[2] = 0.4f;
        p[10] = 0.9f;
        p[10 + 9] = 0.1f;
        p[20 + 4] = 0.5f;
        p[20 + 5] = 0.5f; // a tie goes to the lower digit
        SpeechInput.Guess[] g = SpeechInput.best(Tensor.of(p, 3, 10));
        assertEquals(new SpeechInput.Guess(7, 0.6f), g[0]);
        assertEquals("seven", g[0].word());
        assertEquals(0, g[1].digit());
        assertEquals(4, g[2].digit());
        float[] s = new float[16000];
        List<SpokenDigits.Clip> clips = List.of(new SpokenDigits.Clip(s, 7, "v"), new SpokenDigits.Clip(s, 1, "v"),
                new SpokenDigits.Clip(s, 4, "v"));
        assertEquals(2, SpeechInput.correct(g, clips));
        assertThrows(IllegalArgumentException.class, () -> SpeechInput.correct(g, clips.subList(0, 2)));
        assertThrows(IllegalArgumentException.class, () -> SpeechInput.best(Tensor.zeros(10)));
    }

    @Test
    void modelMapsTheInputToTenProbabilities() {
        try (Sequential m = SpeechSample.newModel(1)) {
            m.build(SpeechInput.FRAMES, SpeechInput.BANDS, 1);
            Tensor p = m.predict(Tensor.zeros(2, SpeechInput.FRAMES, SpeechInput.BANDS, 1));
            assertArrayEquals(new int[] {2, 10}, p.shape());
            float[] v = p.toArray();
            float sum = 0;
            for (int i = 0; i < 10; i++) {
                sum += v[i];
            }
            assertEquals(1f, sum, 1e-4f);
        }
    }

    @Test
    void predictReadsAWavAndPrintsTheDigitWithItsProbability(@TempDir Path dir) throws Exception {
        var text = new ByteArrayOutputStream();
        var console = new PrintStream(text, true, StandardCharsets.UTF_8);
        TrainOptions o = new TrainOptions(console, dir.resolve("cache"), dir.resolve("out"), 42, 42, null, null, true, false);
        var sample = new SpeechSample();
        Path wav = dir.resolve("word.wav");
        Wav.write(wav, new AudioClip(tone(4000, 9000, 9000, 440, 22050), 22050));

        assertThrows(IllegalStateException.class, () -> sample.predict(o, wav.toString()), "no model trained yet");

        Files.createDirectories(o.out());
        try (Sequential m = SpeechSample.newModel(3)) { // untrained: only the pipeline is under test
            m.build(SpeechInput.FRAMES, SpeechInput.BANDS, 1);
            m.save(o.out().resolve(Training.MODEL_FILE));
        }
        sample.predict(o, wav.toString());
        String printed = text.toString(StandardCharsets.UTF_8);
        assertTrue(printed.matches("(?s).*word\\.wav: digit \\d \\(\"[a-z]+\"\\), probability [01]\\.\\d{3}\\s*"), printed);

        Path notWav = dir.resolve("notes.wav");
        Files.writeString(notWav, "not audio");
        assertThrows(DataFormatException.class, () -> sample.predict(o, notWav.toString()));
        assertThrows(DataFormatException.class, () -> sample.predict(o, dir.resolve("missing.wav").toString()));
        Path quiet = dir.resolve("quiet.wav");
        Wav.write(quiet, new AudioClip(new float[8000], 8000));
        assertThrows(IllegalArgumentException.class, () -> sample.predict(o, quiet.toString()));
        assertThrows(IllegalArgumentException.class, () -> sample.predict(o, " "));
    }
}
