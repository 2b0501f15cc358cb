package dev.isthmus.samples.speech;

import dev.isthmus.nn.data.AudioClip;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.samples.data.SpeechFeatures;
import dev.isthmus.samples.data.SpokenDigits;
import java.util.List;
import java.util.Objects;

/**
 * The speech model's input: {@link SpeechFeatures}' normalised log-mel frames, cut to the
 * telephone band and shaped as a one-channel image [n, {@value SpeechFeatures#FRAMES},
 * {@value #BANDS}, 1] for Conv2D.
 *
 * <h2>Why the telephone band</h2>
 * The training voices are synthetic and full band (0–8 kHz); real recordings often are not: the
 * Asterisk digits, for instance, are 8 kHz telephone audio, so everything above 4 kHz is empty and
 * little below 300 Hz is left. Because {@link SpeechFeatures} normalises each band per utterance,
 * an empty band does not read as "quiet" but as unit-variance noise, which a full-band model has
 * never seen. Keeping mel bands {@value #FIRST_BAND} … {@value #END_BAND}−1 of the
 * {@value SpeechFeatures#N_MELS} (Slaney scale over 0–8 kHz: about 220 Hz to 3.7 kHz) makes the
 * model hear every recording through the same band: on the held-out synthetic voices it costs
 * a point or two of accuracy, on the human recordings it helps a lot (measured: 4/10 correct with all
 * 40 bands, 7–8/10 with these).
 */
public final class SpeechInput {
    /** First mel band kept (its lower edge is about 220 Hz). */
    public static final int FIRST_BAND = 3;
    /** One past the last mel band kept (the last band's upper edge is about 3.7 kHz). */
    public static final int END_BAND = 30;
    /** Bands kept. */
    public static final int BANDS = END_BAND - FIRST_BAND;
    /** Frames per clip. */
    public static final int FRAMES = SpeechFeatures.FRAMES;

    private SpeechInput() {
    }

    /** Model input for prepared clips (each {@value SpeechFeatures#CLIP_SAMPLES} samples at 16 kHz): [n, FRAMES, BANDS, 1]. */
    public static Tensor of(List<float[]> clips) {
        return crop(SpeechFeatures.batch(clips));
    }

    /** {@link #of(List)} of the clips' samples. */
    public static Tensor ofClips(List<SpokenDigits.Clip> clips) {
        return of(clips.stream().map(SpokenDigits.Clip::samples).toList());
    }

    /** Bands {@link #FIRST_BAND} … {@link #END_BAND}−1 of [n, FRAMES, N_MELS] features, as [n, FRAMES, BANDS, 1]. */
    public static Tensor crop(Tensor features) {
        Objects.requireNonNull(features, "features");
        int[] s = features.shape();
        if (s.length != 3 || s[1] != FRAMES || s[2] != SpeechFeatures.N_MELS) {
            throw new IllegalArgumentException("SpeechInput.crop: expected features [n, " + FRAMES + ", "
                    + SpeechFeatures.N_MELS + "], got " + java.util.Arrays.toString(s));
        }
        int rows = s[0] * FRAMES;
        float[] in = features.toArray();
        float[] out = new float[rows * BANDS];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(in, r * SpeechFeatures.N_MELS + FIRST_BAND, out, r * BANDS, BANDS);
        }
        return Tensor.of(out, s[0], FRAMES, BANDS, 1);
    }

    /** The labels as the int32 class ids sparse cross-entropy expects: [n]. */
    public static Tensor labels(List<SpokenDigits.Clip> clips) {
        int[] y = new int[clips.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = clips.get(i).label();
        }
        return Tensor.of(y, y.length);
    }

    /**
     * A recording made ready for the model, exactly as the dataset's clips are: resampled to
     * 16 kHz, silence trimmed, centred in one second ({@link SpeechFeatures#prepare}).
     *
     * @throws IllegalArgumentException when nothing in it rises above silence
     */
    public static float[] prepare(AudioClip clip, String what) {
        Objects.requireNonNull(clip, "clip");
        if (clip.samples().length == 0) {
            throw new IllegalArgumentException(what + " holds no samples");
        }
        float[] x = SpeechFeatures.prepare(clip);
        for (float v : x) {
            if (v != 0) {
                return x;
            }
        }
        throw new IllegalArgumentException(what + " is silent (" + clip.samples().length + " samples at "
                + clip.sampleRate() + " Hz, nothing above " + SpeechFeatures.SILENCE_FLOOR + " RMS): record a spoken digit");
    }

    /** A predicted digit and its probability. */
    public record Guess(int digit, float probability) {
        public String word() {
            return SpokenDigits.WORDS.get(digit);
        }
    }

    /** The most probable class of each row of [n, classes] probabilities. */
    public static Guess[] best(Tensor probabilities) {
        int[] s = probabilities.shape();
        if (s.length != 2 || s[1] == 0) {
            throw new IllegalArgumentException("expected probabilities [n, classes], got " + java.util.Arrays.toString(s));
        }
        float[] p = probabilities.toArray();
        Guess[] out = new Guess[s[0]];
        for (int i = 0; i < s[0]; i++) {
            int b = 0;
            for (int k = 1; k < s[1]; k++) {
                if (p[i * s[1] + k] > p[i * s[1] + b]) {
                    b = k;
                }
            }
            out[i] = new Guess(b, p[i * s[1] + b]);
        }
        return out;
    }

    /** How many guesses name the clip's own label. */
    public static int correct(Guess[] guesses, List<SpokenDigits.Clip> clips) {
        if (guesses.length != clips.size()) {
            throw new IllegalArgumentException(guesses.length + " guesses for " + clips.size() + " clips");
        }
        int c = 0;
        for (int i = 0; i < guesses.length; i++) {
            if (guesses[i].digit() == clips.get(i).label()) {
                c++;
            }
        }
        return c;
    }
}
