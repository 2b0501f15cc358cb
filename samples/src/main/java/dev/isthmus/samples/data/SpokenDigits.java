package dev.isthmus.samples.data;

import dev.isthmus.nn.data.AudioClip;
import dev.isthmus.nn.data.Wav;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Spoken digits "zero" … "nine", synthesised with Debian's {@code espeak-ng} over many voices,
 * speeds and pitches, as 1 s clips at 16 kHz, split so that the test set's voices are never heard
 * in training.
 *
 * <h2>Voices</h2>
 * An espeak-ng voice is an accent (a language voice: {@code gmw/en} (British), {@code gmw/en-US},
 * {@code gmw/en-GB-scotland}, {@code gmw/en-029}, …, whatever {@code espeak-ng --voices=en} lists,
 * except MBROLA voices, which need the separate {@code mbrola} program) plus an optional variant
 * that changes the timbre ({@code +f2}, {@code +klatt}, {@code +Mr serious}, …, whatever
 * {@code espeak-ng --voices=variant} lists). Accents are named by their voice file (the
 * {@code File} column), not their language: espeak-ng 1.51 silently ignores the variant in
 * {@code -v en-gb+f2} (it speaks plain {@code en-gb}), but honours it in {@code -v gmw/en+f2}.
 * Variants that give byte-identical audio to an earlier one (espeak-ng 1.51's {@code caleb},
 * {@code klatt} and {@code klatt6}, for instance) are dropped, found by synthesising one probe
 * word ("seven", with the first accent) with each. Each remaining variant, and the plain accent
 * without variant, is paired with one accent (variants shuffled by the seed, accents dealt round
 * in turn), so a voice such as {@code gmw/en-GB-scotland+f2} is one timbre with one accent, and no
 * timbre appears in two voices. espeak-ng 1.51 gives 8 accents and about 100 voices.
 *
 * <h2>Clips</h2>
 * Each voice says each digit {@code clipsPerDigitPerVoice} times, each time at a speed drawn
 * uniformly from {@value #MIN_SPEED}–{@value #MAX_SPEED} words per minute ({@code -s}), a pitch
 * from {@value #MIN_PITCH}–{@value #MAX_PITCH} ({@code -p}) and an amplitude from
 * {@value #MIN_AMPLITUDE}–{@value #MAX_AMPLITUDE} ({@code -a}; a few loud variants clip, which is
 * kept as natural variety). Per clip: {@code espeak-ng -v VOICE -s S -p P -a A -w raw.wav WORD}
 * (22 050 Hz), then {@code sox -D raw.wav -r 16000 -c 1 -b 16 -e signed-integer out.wav}
 * (no dither, so the output is reproducible), then, in Java, {@link SpeechFeatures#trimSilence}
 * and {@link SpeechFeatures#centre} to exactly {@value SpeechFeatures#CLIP_SAMPLES} samples, the
 * same treatment as the recorded {@link AsteriskDigits}. Every setting comes from the seed
 * ({@link java.util.Random}), and espeak-ng and sox are deterministic, so the same seed, count and
 * tool versions give the same bytes. Synthesis runs on a pool of at most
 * {@value #MAX_THREADS} threads (fewer on fewer cores); each task runs two short processes.
 *
 * <p>The full set ({@link #load(Path, long, boolean) load(dir, seed, false)}) has
 * {@value #DEFAULT_CLIPS_PER_DIGIT_PER_VOICE} clips per digit per voice, about 3000 clips; quick
 * mode, for smoke runs, keeps {@value #QUICK_VOICES} voices chosen by the seed and one clip per
 * digit per voice: 200 clips.
 *
 * <h2>Split</h2>
 * {@value #TEST_VOICE_PERCENT}% of the voices (rounded up; at least one, and at least one left
 * for training), chosen by the seed, are held out: all their clips form the test set, which thus
 * measures accuracy on voices (timbres) never seen in training. Every voice says every digit, so
 * both sides cover all ten labels.
 *
 * <h2>Cache</h2>
 * {@code <cache>/spoken-digits/<mode>-seed<S>-x<N>/} ({@code mode} is {@code full},
 * {@code quick} or {@code custom-<hash of the voice list>}) holds {@code clips.pcm} (all clips,
 * 16-bit little-endian PCM, {@value SpeechFeatures#CLIP_SAMPLES} samples each, in manifest order)
 * and {@code manifest.tsv}: the generation parameters, tool versions, the SHA-256 of
 * {@code clips.pcm}, and one row per clip (label, word, voice, split, speed, pitch, amplitude,
 * length of the trimmed word). Loading is idempotent: when the manifest's parameters match the
 * request and the checksum holds, nothing is run (espeak-ng need not even be installed);
 * otherwise the set is generated in a temporary folder of the cache and moved into place.
 *
 * <h2>Tools</h2>
 * When {@code espeak-ng} or {@code sox} is missing and this process runs as root, the Debian
 * packages {@code espeak-ng} and {@code sox} are installed with {@code apt-get install -y} (saying
 * so on standard error); otherwise a {@link DatasetUnavailableException} says what to install.
 */
public final class SpokenDigits {

    /** The words, indexed by label. */
    public static final List<String> WORDS =
            List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine");
    /** The Debian package of the speech synthesiser. */
    public static final String ESPEAK_PACKAGE = "espeak-ng";
    /** The Debian package of the audio converter. */
    public static final String SOX_PACKAGE = "sox";
    /** Clips per digit per voice of the full set. */
    public static final int DEFAULT_CLIPS_PER_DIGIT_PER_VOICE = 3;
    /** Voices in quick mode. */
    public static final int QUICK_VOICES = 20;
    /** Share of voices held out for the test set, percent. */
    public static final int TEST_VOICE_PERCENT = 20;
    /** Speech rate range, words per minute ({@code espeak-ng -s}). */
    public static final int MIN_SPEED = 120;
    public static final int MAX_SPEED = 220;
    /** Pitch range, 0–99 ({@code espeak-ng -p}). */
    public static final int MIN_PITCH = 20;
    public static final int MAX_PITCH = 80;
    /** Amplitude range ({@code espeak-ng -a}; its default is 100). */
    public static final int MIN_AMPLITUDE = 50;
    public static final int MAX_AMPLITUDE = 100;
    /** Most synthesis threads. */
    public static final int MAX_THREADS = 2;
    /** Cache file format version; a change regenerates. */
    public static final int FORMAT = 1;
    /** The voice name of a voice's plain accent, with no variant. */
    private static final String NO_VARIANT = "";

    static final String CLIPS_FILE = "clips.pcm";
    static final String MANIFEST_FILE = "manifest.tsv";
    private static final String HEADER = "index\tlabel\tword\tvoice\tsplit\tspeed\tpitch\tamplitude\tspokenMs";
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);
    private static final Pattern LANGUAGE_LINE =
            Pattern.compile("^\\s*\\d+\\s+(\\S+)\\s+\\S+\\s+\\S+\\s+(\\S+)(\\s.*)?$");
    private static final Pattern VERSION = Pattern.compile("\\d+(\\.\\d+)+\\S*");
    private static final Pattern VARIANT_LINE =
            Pattern.compile("^\\s*\\d+\\s+variant\\s+\\S+\\s+\\S+\\s+!v/(.+?)\\s*(\\(.*)?$");

    /**
     * One clip.
     *
     * @param samples {@value SpeechFeatures#CLIP_SAMPLES} samples at
     *                {@value SpeechFeatures#SAMPLE_RATE} Hz, nominally in [-1, 1) (not copied)
     * @param label   the digit, 0–9
     * @param voice   who says it, such as {@code gmw/en-GB-scotland+f2}
     */
    public record Clip(float[] samples, int label, String voice) {
        public Clip {
            Objects.requireNonNull(samples, "samples");
            Objects.requireNonNull(voice, "voice");
            if (label < 0 || label >= WORDS.size()) {
                throw new IllegalArgumentException("label must be 0-9, got " + label);
            }
        }

        /** The spoken word. */
        public String word() {
            return WORDS.get(label);
        }

        @Override
        public String toString() {
            return "Clip[" + word() + ", " + voice + ", " + samples.length + " samples]";
        }
    }

    /**
     * How one clip is (or was) synthesised.
     *
     * @param index     position in the set
     * @param label     the digit
     * @param voice     the espeak-ng voice ({@code -v})
     * @param test      whether the voice is held out for the test set
     * @param speed     words per minute ({@code -s})
     * @param pitch     0–99 ({@code -p})
     * @param amplitude {@code -a}
     */
    public record Spec(int index, int label, String voice, boolean test, int speed, int pitch, int amplitude) {

        /** The espeak-ng command writing this clip to {@code wav}. */
        public List<String> espeakCommand(Path wav) {
            return List.of("espeak-ng", "-v", voice, "-s", Integer.toString(speed), "-p", Integer.toString(pitch),
                    "-a", Integer.toString(amplitude), "-w", wav.toString(), WORDS.get(label));
        }
    }

    private final Path folder;
    private final List<Clip> train;
    private final List<Clip> test;
    private final List<String> trainVoices;
    private final List<String> testVoices;
    private final boolean generated;

    private SpokenDigits(Path folder, List<Clip> train, List<Clip> test, List<String> trainVoices,
                         List<String> testVoices, boolean generated) {
        this.folder = folder;
        this.train = List.copyOf(train);
        this.test = List.copyOf(test);
        this.trainVoices = List.copyOf(trainVoices);
        this.testVoices = List.copyOf(testVoices);
        this.generated = generated;
    }

    // ================================================================ loading

    /**
     * The full set ({@value #DEFAULT_CLIPS_PER_DIGIT_PER_VOICE} clips per digit per voice), or
     * in quick mode {@value #QUICK_VOICES} voices × 10 digits × 1 clip.
     */
    public static SpokenDigits load(Path cacheDir, long seed, boolean quick) {
        return load(cacheDir, seed, quick ? 1 : DEFAULT_CLIPS_PER_DIGIT_PER_VOICE, quick);
    }

    /**
     * Loads the set from the cache, generating it first when it is absent, was made with other
     * parameters, or fails its checksum.
     *
     * @param cacheDir              the dataset cache root, such as {@code DatasetCache.resolve(option).root()}
     * @param seed                  chooses voices' pairing, the held-out voices and every clip's settings
     * @param clipsPerDigitPerVoice how many times each voice says each digit
     * @param quick                 keep only {@value #QUICK_VOICES} voices (chosen by the seed)
     * @throws DatasetUnavailableException when espeak-ng or sox is missing and cannot be installed,
     *                                     or fails
     */
    public static SpokenDigits load(Path cacheDir, long seed, int clipsPerDigitPerVoice, boolean quick) {
        return load(cacheDir, new Request(quick ? "quick" : "full", seed, clipsPerDigitPerVoice, List.of()));
    }

    /**
     * As {@link #load(Path, long, int, boolean)} with the given voices (at least two espeak-ng
     * {@code -v} arguments, such as {@code gmw/en-US+f2} or {@code gmw/en}; see the class comment
     * on why voice files rather than language names) instead of all listed ones; for tests and
     * experiments.
     */
    public static SpokenDigits load(Path cacheDir, long seed, int clipsPerDigitPerVoice, List<String> voices) {
        List<String> v = List.copyOf(new LinkedHashSet<>(voices));
        if (v.size() < 2) {
            throw new IllegalArgumentException("need at least two distinct voices to hold one out, got " + voices);
        }
        for (String s : v) {
            if (s.isBlank() || s.indexOf('\t') >= 0 || s.indexOf('\n') >= 0 || s.indexOf(',') >= 0) {
                throw new IllegalArgumentException("not a voice name: '" + s + "'");
            }
        }
        String hash = CachedFiles.sha256(String.join("\n", v).getBytes(StandardCharsets.UTF_8)).substring(0, 8);
        return load(cacheDir, new Request("custom-" + hash, seed, clipsPerDigitPerVoice, v));
    }

    /** What was asked for: compared with the manifest's parameters to decide whether to regenerate. */
    private record Request(String mode, long seed, int clipsPerDigitPerVoice, List<String> voices) {
        Request {
            if (clipsPerDigitPerVoice < 1) {
                throw new IllegalArgumentException("clipsPerDigitPerVoice must be at least 1, got "
                        + clipsPerDigitPerVoice);
            }
        }

        String folderName() {
            return mode + "-seed" + seed + "-x" + clipsPerDigitPerVoice;
        }

        Map<String, String> parameters() {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("format", Integer.toString(FORMAT));
            p.put("mode", mode);
            p.put("seed", Long.toString(seed));
            p.put("clipsPerDigitPerVoice", Integer.toString(clipsPerDigitPerVoice));
            p.put("voicesRequested", voices.isEmpty() ? "*" : String.join(",", voices));
            p.put("sampleRate", Integer.toString(SpeechFeatures.SAMPLE_RATE));
            p.put("clipSamples", Integer.toString(SpeechFeatures.CLIP_SAMPLES));
            p.put("speed", MIN_SPEED + "-" + MAX_SPEED);
            p.put("pitch", MIN_PITCH + "-" + MAX_PITCH);
            p.put("amplitude", MIN_AMPLITUDE + "-" + MAX_AMPLITUDE);
            p.put("testVoicePercent", Integer.toString(TEST_VOICE_PERCENT));
            p.put("silenceDb", Double.toString(SpeechFeatures.SILENCE_DB));
            p.put("marginMs", Integer.toString(SpeechFeatures.MARGIN_MS));
            return p;
        }
    }

    private static SpokenDigits load(Path cacheDir, Request request) {
        DatasetCache cache = new DatasetCache(cacheDir);
        Path folder = cache.resolveName("spoken-digits", request.folderName());
        String stale = null;
        if (Files.isRegularFile(folder.resolve(MANIFEST_FILE))) {
            try {
                Manifest m = Manifest.read(folder.resolve(MANIFEST_FILE));
                stale = m.mismatch(request.parameters());
                if (stale == null) {
                    return fromCache(folder, m, false);
                }
            } catch (DatasetFormatException e) {
                stale = e.getMessage();
            } catch (StaleCacheException e) {
                stale = e.getMessage();
            }
            System.err.println("SpokenDigits: regenerating " + folder + ": " + stale);
        }
        generate(cache, folder, request);
        try {
            return fromCache(folder, Manifest.read(folder.resolve(MANIFEST_FILE)), true);
        } catch (StaleCacheException e) {
            throw new IllegalStateException("the freshly generated " + folder + " does not verify: " + e.getMessage(), e);
        }
    }

    /** The cache does not hold what the manifest says. */
    private static final class StaleCacheException extends Exception {
        private static final long serialVersionUID = 1L;

        StaleCacheException(String message) {
            super(message);
        }
    }

    private static SpokenDigits fromCache(Path folder, Manifest m, boolean generated) throws StaleCacheException {
        Path pcm = folder.resolve(CLIPS_FILE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(pcm);
        } catch (NoSuchFileException e) {
            throw new StaleCacheException(CLIPS_FILE + " is missing");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pcm, e);
        }
        long expected = (long) m.rows.size() * SpeechFeatures.CLIP_SAMPLES * 2;
        if (bytes.length != expected) {
            throw new StaleCacheException(CLIPS_FILE + " holds " + bytes.length + " bytes, expected " + expected
                    + " for " + m.rows.size() + " clips");
        }
        String sum = CachedFiles.sha256(bytes);
        if (!sum.equalsIgnoreCase(m.parameters.getOrDefault("sha256", ""))) {
            throw new StaleCacheException(CLIPS_FILE + " has SHA-256 " + sum + " but the manifest records "
                    + m.parameters.get("sha256"));
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Clip> train = new ArrayList<>();
        List<Clip> test = new ArrayList<>();
        Set<String> trainVoices = new LinkedHashSet<>();
        Set<String> testVoices = new LinkedHashSet<>();
        for (Spec row : m.rows) {
            float[] x = new float[SpeechFeatures.CLIP_SAMPLES];
            for (int i = 0; i < x.length; i++) {
                x[i] = buf.getShort() / 32768f;
            }
            Clip clip = new Clip(x, row.label(), row.voice());
            (row.test() ? test : train).add(clip);
            (row.test() ? testVoices : trainVoices).add(row.voice());
        }
        return new SpokenDigits(folder, train, test, new ArrayList<>(trainVoices), new ArrayList<>(testVoices),
                generated);
    }

    // ================================================================ accessors

    /** The training clips: every clip of a voice not held out. */
    public List<Clip> train() {
        return train;
    }

    /** The test clips: every clip of the held-out voices. */
    public List<Clip> test() {
        return test;
    }

    /** The held-out voices, in the order met. */
    public List<String> testVoices() {
        return testVoices;
    }

    /** The training voices, in the order met. */
    public List<String> trainVoices() {
        return trainVoices;
    }

    /** The cache folder holding {@code clips.pcm} and {@code manifest.tsv}. */
    public Path folder() {
        return folder;
    }

    /** Whether this load synthesised the clips (false when they came from the cache). */
    public boolean wasGenerated() {
        return generated;
    }

    @Override
    public String toString() {
        return "SpokenDigits[" + train.size() + " train clips (" + trainVoices.size() + " voices), " + test.size()
                + " test clips (" + testVoices.size() + " voices), " + folder + "]";
    }

    // ================================================================ planning (pure)

    /**
     * Pairs variants with accents: the variants (with {@code ""} for the plain accent) are
     * shuffled by the seed and each given the next accent in a seeded order. Returns voice names
     * such as {@code gmw/en-US+f2} or {@code gmw/en}, one per variant.
     */
    public static List<String> pairVoices(List<String> accents, List<String> variants, long seed) {
        if (accents.isEmpty() || variants.isEmpty()) {
            throw new IllegalArgumentException("need at least one accent and one variant, got " + accents + " and "
                    + variants);
        }
        Random rng = new Random(seed);
        List<String> a = new ArrayList<>(accents);
        List<String> v = new ArrayList<>(variants);
        Collections.shuffle(a, rng);
        Collections.shuffle(v, rng);
        List<String> voices = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            String accent = a.get(i % a.size());
            voices.add(v.get(i).isEmpty() ? accent : accent + "+" + v.get(i));
        }
        return voices;
    }

    /** {@code count} of the voices, chosen by the seed (all of them when there are no more). */
    public static List<String> chooseVoices(List<String> voices, int count, long seed) {
        List<String> v = new ArrayList<>(voices);
        Collections.shuffle(v, new Random(seed ^ 0x5155_4943_4bL));
        return List.copyOf(v.subList(0, Math.min(count, v.size())));
    }

    /**
     * The held-out voices: {@value #TEST_VOICE_PERCENT}% of them rounded up, at least one and at
     * most all but one, chosen by the seed.
     */
    public static Set<String> chooseTestVoices(List<String> voices, long seed) {
        if (voices.size() < 2) {
            throw new IllegalArgumentException("need at least two voices to hold one out, got " + voices);
        }
        int k = Math.clamp((voices.size() * TEST_VOICE_PERCENT + 99) / 100, 1, voices.size() - 1);
        List<String> v = new ArrayList<>(voices);
        Collections.shuffle(v, new Random(seed ^ 0x54_4553_54L));
        return new LinkedHashSet<>(v.subList(0, k));
    }

    /**
     * Every clip's settings: for each voice, each digit, {@code clipsPerDigitPerVoice} times, with
     * speed, pitch and amplitude drawn from the seed; the held-out voices marked.
     */
    public static List<Spec> plan(List<String> voices, long seed, int clipsPerDigitPerVoice) {
        Set<String> held = chooseTestVoices(voices, seed);
        Random rng = new Random(seed ^ 0x5350_4543L);
        List<Spec> specs = new ArrayList<>(voices.size() * WORDS.size() * clipsPerDigitPerVoice);
        for (String voice : voices) {
            for (int label = 0; label < WORDS.size(); label++) {
                for (int k = 0; k < clipsPerDigitPerVoice; k++) {
                    int speed = MIN_SPEED + rng.nextInt(MAX_SPEED - MIN_SPEED + 1);
                    int pitch = MIN_PITCH + rng.nextInt(MAX_PITCH - MIN_PITCH + 1);
                    int amplitude = MIN_AMPLITUDE + rng.nextInt(MAX_AMPLITUDE - MIN_AMPLITUDE + 1);
                    specs.add(new Spec(specs.size(), label, voice, held.contains(voice), speed, pitch, amplitude));
                }
            }
        }
        return specs;
    }

    /**
     * The accents of {@code espeak-ng --voices=en} output: the voice file ({@code File} column,
     * such as {@code gmw/en-GB-x-rp}) of each English voice that is not an MBROLA voice
     * ({@code mb/…}) nor a variant, without repeats, in listed order.
     */
    public static List<String> parseAccents(String voicesOutput) {
        Set<String> accents = new LinkedHashSet<>();
        for (String line : voicesOutput.lines().toList()) {
            Matcher m = LANGUAGE_LINE.matcher(line);
            if (m.matches() && !m.group(1).equals("variant") && !m.group(2).startsWith("mb/")
                    && m.group(1).startsWith("en")) {
                accents.add(m.group(2));
            }
        }
        return List.copyOf(accents);
    }

    /**
     * The variants of {@code espeak-ng --voices=variant} output: each file name after {@code !v/}
     * (what follows {@code +} in a voice name; it may contain a space), in listed order.
     */
    public static List<String> parseVariants(String variantsOutput) {
        Set<String> variants = new LinkedHashSet<>();
        for (String line : variantsOutput.lines().toList()) {
            Matcher m = VARIANT_LINE.matcher(line);
            if (m.matches()) {
                variants.add(m.group(1).strip());
            }
        }
        return List.copyOf(variants);
    }

    // ================================================================ tools

    /** Whether {@code espeak-ng} and {@code sox} both run here (runs them with {@code --version}). */
    public static boolean toolsAvailable() {
        return version("espeak-ng") != null && version("sox") != null;
    }

    /**
     * The version number in {@code tool --version}'s first line (the line itself if it has none),
     * or null when the tool does not run.
     */
    private static String version(String tool) {
        try {
            ExternalCommand.Outcome out = ExternalCommand.of(List.of(tool, "--version")).mergingErrors()
                    .run(Duration.ofSeconds(20));
            if (!out.succeeded()) {
                return null;
            }
            String first = out.output().lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("?");
            Matcher m = VERSION.matcher(first);
            return m.find() ? m.group() : first;
        } catch (IOException e) {
            return null;
        }
    }

    /** Makes sure both tools run, installing them with apt-get when root; otherwise throws. */
    private static void ensureTools(Path workDir) {
        List<String> missing = new ArrayList<>();
        if (version("espeak-ng") == null) {
            missing.add(ESPEAK_PACKAGE);
        }
        if (version("sox") == null) {
            missing.add(SOX_PACKAGE);
        }
        if (missing.isEmpty()) {
            return;
        }
        String packages = String.join(" ", missing);
        List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y"));
        install.addAll(missing);
        String shown = String.join(" ", install);
        if (!ExternalCommand.runningAsRoot()) {
            throw new DatasetUnavailableException(missing.getFirst(), "SpokenDigits needs " + packages
                    + " (espeak-ng synthesises the spoken digits, sox converts them to 16 kHz), but "
                    + (missing.size() == 1 ? "it is" : "they are") + " not installed and this process is not root."
                    + "\nWhat to do: run `sudo " + shown + "` (after `sudo apt-get update` if apt cannot find "
                    + (missing.size() == 1 ? "it" : "them") + "), then retry.");
        }
        System.err.println("SpokenDigits: installing the Debian package" + (missing.size() == 1 ? " " : "s ")
                + packages + " (espeak-ng synthesises the spoken digits, sox converts them to 16 kHz): " + shown);
        ExternalCommand.Outcome out;
        try {
            out = apt(install, workDir).run(INSTALL_TIMEOUT);
            if (!out.succeeded()) {
                // a fresh machine's package lists may be empty or stale: refresh them once and retry
                System.err.println("SpokenDigits: `" + shown + "` failed; running `apt-get update` and trying again");
                apt(List.of("apt-get", "update"), workDir).run(INSTALL_TIMEOUT);
                out = apt(install, workDir).run(INSTALL_TIMEOUT);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + shown, e);
        }
        if (!out.succeeded() || version("espeak-ng") == null || version("sox") == null) {
            throw new DatasetUnavailableException(missing.getFirst(), "Cannot install " + packages + ": `" + shown
                    + "` " + out.report()
                    + "\nWhat to do: run `apt-get update` (as root) and retry, or install " + packages
                    + " by hand (`apt-get install -y " + packages + "`).");
        }
    }

    /** An apt-get command, run non-interactively in {@code workDir}. */
    private static ExternalCommand apt(List<String> command, Path workDir) {
        return ExternalCommand.of(command).in(workDir).with("DEBIAN_FRONTEND", "noninteractive").mergingErrors();
    }

    /** The English accents and the variants espeak-ng lists here. */
    private static List<String> listTool(String option, Path work) {
        List<String> command = List.of("espeak-ng", option);
        ExternalCommand.Outcome out;
        try {
            out = tool(command, work).run(TOOL_TIMEOUT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
        if (!out.succeeded()) {
            throw failure(ESPEAK_PACKAGE, command, out, "check that espeak-ng runs: `espeak-ng " + option + "`.");
        }
        List<String> found = option.equals("--voices=variant") ? parseVariants(out.output()) : parseAccents(out.output());
        if (found.isEmpty()) {
            throw new DatasetUnavailableException(ESPEAK_PACKAGE, "`" + String.join(" ", command)
                    + "` listed no " + (option.equals("--voices=variant") ? "variants" : "English voices")
                    + "; its output begins:\n" + abbreviate(out.output())
                    + "\nWhat to do: reinstall espeak-ng-data (`apt-get install --reinstall espeak-ng-data`).");
        }
        return found;
    }

    // ================================================================ generation

    private static void generate(DatasetCache cache, Path folder, Request request) {
        long started = System.nanoTime();
        Path tmp = cache.tempFolder("generate-", "spoken-digits");
        try {
            Path work = Files.createDirectory(tmp.resolve("work"));
            ensureTools(work);
            String espeakVersion = version("espeak-ng");
            String soxVersion = version("sox");
            List<String> voices;
            List<String> dropped = new ArrayList<>();
            if (request.voices().isEmpty()) {
                List<String> accents = listTool("--voices=en", work);
                List<String> variants = new ArrayList<>();
                variants.add(NO_VARIANT);
                variants.addAll(listTool("--voices=variant", work));
                List<String> distinct = distinctVariants(accents.getFirst(), variants, work, dropped);
                voices = pairVoices(accents, distinct, request.seed());
                if (request.mode().equals("quick")) {
                    voices = chooseVoices(voices, QUICK_VOICES, request.seed());
                }
            } else {
                voices = request.voices();
            }
            List<Spec> specs = plan(voices, request.seed(), request.clipsPerDigitPerVoice());
            int threads = Math.clamp(Runtime.getRuntime().availableProcessors(), 1, MAX_THREADS);
            System.err.printf(Locale.ROOT, "SpokenDigits: synthesising %d clips (%d voices x %d digits x %d) with espeak-ng %s"
                            + " and sox %s on %d threads into %s%n", specs.size(), voices.size(), WORDS.size(),
                    request.clipsPerDigitPerVoice(), espeakVersion, soxVersion, threads, folder);
            short[][] pcm = new short[specs.size()][];
            int[] spokenMs = new int[specs.size()];
            synthesiseAll(specs, work, threads, pcm, spokenMs);

            // clips.pcm
            ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(specs.size(), SpeechFeatures.CLIP_SAMPLES * 2))
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (short[] clip : pcm) {
                for (short s : clip) {
                    buf.putShort(s);
                }
            }
            byte[] bytes = buf.array();
            Files.write(tmp.resolve(CLIPS_FILE), bytes);

            // manifest.tsv
            double seconds = (System.nanoTime() - started) / 1e9;
            Map<String, String> p = request.parameters();
            p.put("clips", Integer.toString(specs.size()));
            p.put("voices", Integer.toString(voices.size()));
            p.put("testVoices", Integer.toString(chooseTestVoices(voices, request.seed()).size()));
            p.put("sha256", CachedFiles.sha256(bytes));
            p.put("espeak-ng", espeakVersion);
            p.put("sox", soxVersion);
            p.put("droppedDuplicateVariants", dropped.isEmpty() ? "-" : String.join(",", dropped));
            p.put("generationSeconds", String.format(Locale.ROOT, "%.1f", seconds));
            StringBuilder sb = new StringBuilder();
            sb.append("# Isthmus spoken digits: ").append(specs.size()).append(" clips of ")
                    .append(SpeechFeatures.CLIP_SAMPLES).append(" 16-bit little-endian PCM samples at ")
                    .append(SpeechFeatures.SAMPLE_RATE).append(" Hz, in row order, in ").append(CLIPS_FILE).append('\n');
            sb.append("# Parameters (key, tab, value), then one row per clip.\n");
            p.forEach((k, v) -> sb.append(k).append('\t').append(v).append('\n'));
            sb.append(HEADER).append('\n');
            for (Spec s : specs) {
                sb.append(s.index()).append('\t').append(s.label()).append('\t').append(WORDS.get(s.label()))
                        .append('\t').append(s.voice()).append('\t').append(s.test() ? "test" : "train")
                        .append('\t').append(s.speed()).append('\t').append(s.pitch()).append('\t')
                        .append(s.amplitude()).append('\t').append(spokenMs[s.index()]).append('\n');
            }
            Files.writeString(tmp.resolve(MANIFEST_FILE), sb, StandardCharsets.UTF_8);
            CachedFiles.deleteTree(work);

            CachedFiles.deleteTree(folder);
            Files.createDirectories(folder.getParent());
            makeReadable(tmp);
            CachedFiles.move(tmp, folder);
            long longer = Arrays.stream(spokenMs).filter(ms -> ms > 1000).count();
            System.err.printf(Locale.ROOT, "SpokenDigits: %d clips in %.1f s (%d words longer than 1 s were cut to"
                    + " their middle second); dropped duplicate variants: %s%n", specs.size(), seconds, longer,
                    dropped.isEmpty() ? "none" : dropped);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the spoken digits into " + tmp, e);
        } finally {
            CachedFiles.deleteTree(tmp);
        }
    }

    /**
     * The variants minus those whose probe ("seven" with fixed settings, spoken with the given
     * accent) is byte-identical to an earlier variant's; the dropped ones are added to {@code dropped}
     * as {@code name=kept}.
     */
    private static List<String> distinctVariants(String accent, List<String> variants, Path work, List<String> dropped) {
        Map<String, String> seen = new LinkedHashMap<>();
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            String variant = variants.get(i);
            String voice = variant.isEmpty() ? accent : accent + "+" + variant;
            Spec probe = new Spec(i, 7, voice, false, 160, 50, 100);
            Path wav = work.resolve("probe-" + i + ".wav");
            List<String> command = probe.espeakCommand(wav);
            try {
                ExternalCommand.Outcome out = tool(command, work).run(TOOL_TIMEOUT);
                if (!out.succeeded() || !Files.isRegularFile(wav)) {
                    throw failure(ESPEAK_PACKAGE, command, out, "check that this voice works: `"
                            + String.join(" ", command) + "`.");
                }
                String sum = CachedFiles.sha256(Files.readAllBytes(wav));
                Files.delete(wav);
                String earlier = seen.putIfAbsent(sum, variant);
                if (earlier == null) {
                    kept.add(variant);
                } else {
                    dropped.add((variant.isEmpty() ? "(none)" : variant) + "=" + (earlier.isEmpty() ? "(none)" : earlier));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run " + command, e);
            }
        }
        return kept;
    }

    private static void synthesiseAll(List<Spec> specs, Path work, int threads, short[][] pcm, int[] spokenMs) {
        AtomicInteger done = new AtomicInteger();
        int step = Math.max(100, specs.size() / 10);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "spoken-digits");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>(specs.size());
            for (Spec spec : specs) {
                futures.add(pool.submit(() -> {
                    float[] x = synthesise(spec, work, spokenMs);
                    short[] q = new short[x.length];
                    for (int i = 0; i < x.length; i++) {
                        q[i] = (short) Math.clamp(Math.round(x[i] * 32768.0), -32768, 32767);
                    }
                    pcm[spec.index()] = q;
                    int n = done.incrementAndGet();
                    if (n % step == 0) {
                        System.err.println("SpokenDigits: " + n + "/" + specs.size() + " clips");
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    pool.shutdownNow();
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException("synthesis failed: " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    pool.shutdownNow();
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while synthesising the spoken digits", e);
                }
            }
        } finally {
            pool.shutdownNow();
            try {
                pool.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One clip: espeak-ng, sox, then trim and centre in Java. */
    private static float[] synthesise(Spec spec, Path work, int[] spokenMs) throws IOException {
        Path raw = work.resolve(spec.index() + "-espeak.wav");
        Path converted = work.resolve(spec.index() + "-16k.wav");
        List<String> espeak = spec.espeakCommand(raw);
        ExternalCommand.Outcome out = tool(espeak, work).run(TOOL_TIMEOUT);
        if (!out.succeeded() || !Files.isRegularFile(raw)) {
            throw failure(ESPEAK_PACKAGE, espeak, out, "run the command by hand to see espeak-ng's complaint;"
                    + " `espeak-ng --voices=en` and `espeak-ng --voices=variant` list the voices.");
        }
        List<String> sox = List.of("sox", "-D", "-V1", raw.toString(), "-r", Integer.toString(SpeechFeatures.SAMPLE_RATE),
                "-c", "1", "-b", "16", "-e", "signed-integer", converted.toString());
        out = tool(sox, work).run(TOOL_TIMEOUT);
        if (!out.succeeded() || !Files.isRegularFile(converted)) {
            throw failure(SOX_PACKAGE, sox, out, "check that sox reads espeak-ng's WAV output: run both commands"
                    + " by hand (`" + String.join(" ", espeak) + "`).");
        }
        AudioClip clip = Wav.read(converted);
        Files.delete(raw);
        Files.delete(converted);
        float[] x = clip.resample(SpeechFeatures.SAMPLE_RATE).samples();
        float[] word = SpeechFeatures.trimSilence(x, SpeechFeatures.SAMPLE_RATE);
        if (word.length == 0) {
            throw new DatasetUnavailableException(ESPEAK_PACKAGE, "`" + String.join(" ", espeak)
                    + "` produced only silence.\nWhat to do: try the command by hand; drop the voice " + spec.voice()
                    + " if it is broken in this espeak-ng version.");
        }
        spokenMs[spec.index()] = (int) Math.round(word.length * 1000.0 / SpeechFeatures.SAMPLE_RATE);
        return SpeechFeatures.centre(word, SpeechFeatures.CLIP_SAMPLES);
    }

    /** A tool run in {@code work}, its error output merged into its output. */
    private static ExternalCommand tool(List<String> command, Path work) {
        return ExternalCommand.of(command).in(work).mergingErrors();
    }

    private static DatasetUnavailableException failure(String pkg, List<String> command, ExternalCommand.Outcome out,
                                                       String advice) {
        return new DatasetUnavailableException(pkg, "`" + String.join(" ", command) + "` " + out.report()
                + "\nWhat to do: " + advice + " (Debian package " + pkg + ")");
    }

    // ================================================================ manifest

    /** A parsed {@code manifest.tsv}: its parameters and rows. */
    private record Manifest(Map<String, String> parameters, List<Spec> rows) {

        /** The first difference between the recorded and the requested parameters, or null. */
        String mismatch(Map<String, String> requested) {
            for (Map.Entry<String, String> e : requested.entrySet()) {
                String recorded = parameters.get(e.getKey());
                if (!e.getValue().equals(recorded)) {
                    return "it was made with " + e.getKey() + "=" + recorded + ", not " + e.getValue();
                }
            }
            String clips = parameters.get("clips");
            if (clips == null || !clips.equals(Integer.toString(rows.size()))) {
                return "the manifest records " + clips + " clips but has " + rows.size() + " rows";
            }
            return null;
        }

        static Manifest read(Path file) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new DatasetFormatException(file, 0, "cannot read: " + e, e);
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            List<Spec> rows = new ArrayList<>();
            boolean table = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                int lineNo = i + 1;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                if (!table) {
                    if (line.equals(HEADER)) {
                        table = true;
                        continue;
                    }
                    int tab = line.indexOf('\t');
                    if (tab <= 0) {
                        throw new DatasetFormatException(file, lineNo, "expected 'key<TAB>value' or the header '"
                                + HEADER.replace('\t', ' ') + "', found '" + abbreviate(line) + "'");
                    }
                    parameters.put(line.substring(0, tab), line.substring(tab + 1));
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length != 9) {
                    throw new DatasetFormatException(file, lineNo, "expected 9 tab-separated fields, found "
                            + f.length + ": '" + abbreviate(line) + "'");
                }
                try {
                    int index = Integer.parseInt(f[0]);
                    int label = Integer.parseInt(f[1]);
                    if (index != rows.size()) {
                        throw new DatasetFormatException(file, lineNo, "row index " + index + ", expected " + rows.size());
                    }
                    if (label < 0 || label >= WORDS.size() || !WORDS.get(label).equals(f[2])) {
                        throw new DatasetFormatException(file, lineNo, "label " + f[1] + " does not match word '"
                                + f[2] + "'");
                    }
                    if (!f[4].equals("train") && !f[4].equals("test")) {
                        throw new DatasetFormatException(file, lineNo, "split must be train or test, found '" + f[4] + "'");
                    }
                    if (f[3].isBlank()) {
                        throw new DatasetFormatException(file, lineNo, "empty voice");
                    }
                    rows.add(new Spec(index, label, f[3], f[4].equals("test"), Integer.parseInt(f[5]),
                            Integer.parseInt(f[6]), Integer.parseInt(f[7])));
                    Integer.parseInt(f[8]);
                } catch (NumberFormatException e) {
                    throw new DatasetFormatException(file, lineNo, "not a number: " + e.getMessage(), e);
                }
            }
            if (!table) {
                throw new DatasetFormatException(file, 0, "no clip table (header '" + HEADER.replace('\t', ' ') + "')");
            }
            return new Manifest(parameters, rows);
        }
    }

    // ================================================================ helpers

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** Undoes {@code createTempDirectory}'s owner-only permissions (best effort; POSIX only). */
    private static void makeReadable(Path dir) {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException | UnsupportedOperationException e) {
            // not POSIX, or not ours: leave it
        }
    }
}
