package dev.isthmus.samples.data;

import dev.isthmus.nn.data.AudioClip;
import dev.isthmus.nn.data.DataFormatException;
import dev.isthmus.nn.data.Wav;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Real recordings of the digits "zero" … "nine", one each, by the voice of Asterisk's prompts
 * (Allison Smith, US English, female), from Debian's {@value #PACKAGE} package: a held-out check
 * that a model trained on {@link SpokenDigits}' synthetic voices hears a human speaker.
 *
 * <p>The members {@value #DIGITS_DIR}{@code 0.wav} … {@code 9.wav} (16-bit PCM mono at 8 kHz,
 * telephone band, 0.7–0.9 s each) are fetched into the dataset cache by {@link DebianPackage}
 * (a .deb of about 18 MB, downloaded once), read with {@link Wav#read}, and passed through
 * {@link SpeechFeatures#prepare}: resampled to 16 kHz ({@link AudioClip#resample}, band-limited, so
 * 4–8 kHz stays empty as in any telephone recording), silence trimmed, and centred in exactly
 * 1 s, exactly as the synthetic clips are. Each clip's voice is {@value #VOICE}.
 */
public final class AsteriskDigits {

    /** The Debian package that ships the recordings. */
    public static final String PACKAGE = "asterisk-core-sounds-en-wav";
    /** The folder of the digit recordings, as a path inside the package. */
    public static final String DIGITS_DIR = "usr/share/asterisk/sounds/en_US_f_Allison/digits/";
    /** The voice recorded in every clip. */
    public static final String VOICE = "asterisk-en_US_f_Allison";

    private AsteriskDigits() {}

    /** The members for digits 0 … 9, in label order. */
    public static List<String> members() {
        List<String> members = new ArrayList<>(10);
        for (int d = 0; d < 10; d++) {
            members.add(DIGITS_DIR + d + ".wav");
        }
        return members;
    }

    /**
     * The ten clips, labels 0 … 9 in order, each {@value SpeechFeatures#CLIP_SAMPLES} samples at
     * {@value SpeechFeatures#SAMPLE_RATE} Hz; fetches and extracts the package first if the files
     * are not in the cache yet (or fail their checksum).
     *
     * @param cacheDir the dataset cache root, such as {@code DatasetCache.resolve(option).root()}
     * @throws DatasetUnavailableException when the package cannot be fetched or unpacked
     * @throws DatasetFormatException      when a recording is not a readable WAV file or is silent
     */
    public static List<SpokenDigits.Clip> load(Path cacheDir) {
        Map<String, Path> files = new DebianPackage(new DatasetCache(cacheDir), PACKAGE).extract(members());
        List<SpokenDigits.Clip> clips = new ArrayList<>(10);
        List<String> members = members();
        for (int d = 0; d < members.size(); d++) {
            Path file = files.get(members.get(d));
            AudioClip clip;
            try {
                clip = Wav.read(file);
            } catch (DataFormatException e) {
                throw new DatasetFormatException(file, 0, "not a readable WAV file: " + e.getMessage()
                        + " (delete it to have it extracted again from " + PACKAGE + ")", e);
            }
            float[] x = SpeechFeatures.prepare(clip);
            boolean silent = true;
            for (float v : x) {
                if (v != 0) {
                    silent = false;
                    break;
                }
            }
            if (silent) {
                throw new DatasetFormatException(file, 0, "the recording of digit " + d + " is silent ("
                        + clip + "); delete it to have it extracted again from " + PACKAGE);
            }
            clips.add(new SpokenDigits.Clip(x, d, VOICE));
        }
        return clips;
    }

    /** Whether the recordings are already extracted and verified in the cache (runs and fetches nothing). */
    public static boolean isCached(Path cacheDir) {
        return new DebianPackage(new DatasetCache(cacheDir), PACKAGE).isExtracted(members());
    }
}
