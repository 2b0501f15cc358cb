package dev.isthmus.samples.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Sentences labelled positive or negative: 1,000 each from IMDb, Yelp and Amazon reviews
 * (Kotzias et al., "From Group to Individual Labels using Deep Features", KDD 2015; the UCI
 * "Sentiment Labelled Sentences" set), balanced 500 positive and 500 negative per source.
 *
 * <p>Read from the test fixtures {@code test/fixtures/{imdb,yelp,amazon}.json} of the npm
 * package {@value #PACKAGE}@{@value #VERSION}, fetched into the dataset cache by
 * {@link NpmPackage}. Each file is one JSON array of objects {@code {"text": "...", "class": 0|1}}
 * (1 = positive) whose last element is the placeholder {@code {"text":"","class":null}}; that
 * placeholder, and only when it is last, is dropped. Texts are kept verbatim (the IMDb ones end
 * with two spaces).
 */
public final class SentimentSentences {

    /** The npm package that ships the data files. */
    public static final String PACKAGE = "sentiment";
    /** Its version. */
    public static final String VERSION = "5.0.2";
    /** The sources, in load order; each is the file {@code test/fixtures/SOURCE.json}. */
    public static final List<String> SOURCES = List.of("imdb", "yelp", "amazon");
    /** Labelled sentences per source (after dropping the placeholder). */
    public static final int PER_SOURCE = 1000;
    /** Label of a negative sentence. */
    public static final int NEGATIVE = 0;
    /** Label of a positive sentence. */
    public static final int POSITIVE = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SentimentSentences() {
    }

    /**
     * One labelled sentence.
     *
     * @param text   the sentence, verbatim
     * @param label  {@value #NEGATIVE} (negative) or {@value #POSITIVE} (positive)
     * @param source where it comes from: {@code imdb}, {@code yelp} or {@code amazon}
     */
    public record Sentence(String text, int label, String source) {
        public Sentence {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(source, "source");
            if (label != NEGATIVE && label != POSITIVE) {
                throw new IllegalArgumentException("label must be 0 or 1, not " + label);
            }
        }
    }

    /** The member path of a source's file inside the package. */
    public static String member(String source) {
        return "test/fixtures/" + source + ".json";
    }

    private static List<String> members() {
        return SOURCES.stream().map(SentimentSentences::member).toList();
    }

    private static NpmPackage npmPackage(Path cacheDir) {
        return new NpmPackage(new DatasetCache(cacheDir), PACKAGE, VERSION);
    }

    /**
     * Loads the 3,000 sentences of all sources, in the order of {@link #SOURCES} and of the files,
     * fetching and extracting the npm package first if the files are not there yet (or fail their
     * checksum).
     *
     * @param cacheDir the dataset cache root, such as {@code DatasetCache.resolve(option).root()}
     * @throws DatasetUnavailableException when the package cannot be fetched or unpacked
     * @throws DatasetFormatException      when a file is malformed or does not hold
     *                                     {@value #PER_SOURCE} sentences
     */
    public static List<Sentence> load(Path cacheDir) {
        Map<String, Path> files = npmPackage(cacheDir).extract(members());
        List<Sentence> all = new ArrayList<>(SOURCES.size() * PER_SOURCE);
        for (String source : SOURCES) {
            Path file = files.get(member(source));
            List<Sentence> sentences = parse(file, source);
            if (sentences.size() != PER_SOURCE) {
                throw new DatasetFormatException(file, 0, "expected " + PER_SOURCE + " labelled sentences but found "
                        + sentences.size());
            }
            all.addAll(sentences);
        }
        return List.copyOf(all);
    }

    /** Whether the files are already extracted and verified in the cache (runs and fetches nothing). */
    public static boolean isCached(Path cacheDir) {
        return npmPackage(cacheDir).isExtracted(members());
    }

    /**
     * Parses one file: a JSON array of objects with a non-blank string {@code text} and an integer
     * {@code class} of 0 or 1 (other fields are ignored). A last element {@code {"text": "",
     * "class": null}} is the package's placeholder and is dropped; an empty text anywhere else is
     * an error.
     *
     * @param source the name given to {@link Sentence#source()}
     * @throws DatasetFormatException naming the file, the line and the 0-based index of the first
     *                                bad record
     */
    public static List<Sentence> parse(Path file, String source) {
        List<Sentence> sentences = new ArrayList<>();
        int index = 0;
        int line = 0;
        int placeholderLine = -1;
        try (JsonParser parser = MAPPER.createParser(file.toFile())) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_ARRAY) {
                throw new DatasetFormatException(file, lineOf(parser.currentTokenLocation()), "expected a JSON array"
                        + " of {\"text\", \"class\"} records but found " + (first == null ? "no JSON value" : first));
            }
            for (JsonToken t; (t = parser.nextToken()) != JsonToken.END_ARRAY; index++) {
                if (t == null) {
                    throw new DatasetFormatException(file, lineOf(parser.currentLocation()),
                            "the array is not closed (the file ends after record " + (index - 1) + ")");
                }
                line = lineOf(parser.currentTokenLocation());
                if (placeholderLine >= 0) {
                    throw bad(file, placeholderLine, index - 1, "a record with an empty text and a null class is only"
                            + " allowed as the last element");
                }
                JsonNode record = MAPPER.readTree(parser);
                if (isPlaceholder(record)) {
                    placeholderLine = line;
                    continue;
                }
                sentences.add(record(file, line, index, record, source));
            }
            if (parser.nextToken() != null) {
                throw new DatasetFormatException(file, lineOf(parser.currentTokenLocation()),
                        "unexpected data after the closing ']' of the array");
            }
        } catch (JsonProcessingException e) {
            throw new DatasetFormatException(file, lineOf(e.getLocation()), "not valid JSON in or after record "
                    + index + " (0-based): " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return sentences;
    }

    /** The package's placeholder: {@code {"text": "", "class": null}}. */
    private static boolean isPlaceholder(JsonNode record) {
        return record.isObject() && record.size() == 2
                && record.path("text").isTextual() && record.path("text").textValue().isEmpty()
                && record.has("class") && record.get("class").isNull();
    }

    private static Sentence record(Path file, int line, int index, JsonNode record, String source) {
        if (!record.isObject()) {
            throw bad(file, line, index, "expected an object {\"text\": ..., \"class\": 0|1} but found "
                    + record.getNodeType());
        }
        JsonNode text = record.get("text");
        if (text == null || !text.isTextual()) {
            throw bad(file, line, index, text == null ? "no \"text\" field" : "\"text\" is not a string: " + abbreviate(text.toString()));
        }
        if (text.textValue().isBlank()) {
            throw bad(file, line, index, "empty text");
        }
        JsonNode label = record.get("class");
        if (label == null || !label.isIntegralNumber() || !label.canConvertToInt()
                || (label.intValue() != NEGATIVE && label.intValue() != POSITIVE)) {
            throw bad(file, line, index, label == null ? "no \"class\" field"
                    : "\"class\" is " + abbreviate(label.toString()) + ", not 0 or 1");
        }
        return new Sentence(text.textValue(), label.intValue(), source);
    }

    private static DatasetFormatException bad(Path file, int line, int index, String problem) {
        return new DatasetFormatException(file, line, "record " + index + " (0-based): " + problem);
    }

    private static int lineOf(JsonLocation location) {
        return location == null ? 0 : Math.max(0, location.getLineNr());
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
