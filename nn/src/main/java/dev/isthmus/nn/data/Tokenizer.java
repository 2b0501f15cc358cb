package dev.isthmus.nn.data;

import dev.isthmus.nn.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns texts into sequences of word indices with the semantics of Keras's
 * {@code tf.keras.preprocessing.text.Tokenizer}: lower-case, replace every {@code filters} character by
 * {@code split}, split on it; words are indexed from 1 by descending count, ties by first occurrence
 * (0 is left for padding); an {@code oovToken}, when set, takes index 1; with {@code numWords} only
 * indices below numWords are emitted and the rest are dropped (or become the OOV index), while
 * {@link #wordIndex()} keeps every word.
 *
 * <p>Beyond Keras, in word mode each character of a CJK script (Han, Hiragana, Katakana and Hangul
 * syllables) is a token of its own, since those scripts do not separate words by spaces:
 * "这是一个示例文本" gives 8 tokens and "我爱Java" gives 我, 爱, java. Characters are Unicode code points.
 *
 * <p>Other choices: {@link #vocabularySize()} is {@code min(numWords, wordIndex.size() + 1)}, the input
 * size an {@code Embedding} needs; converting before any fit throws instead of returning empty
 * sequences; a text containing the OOV token itself counts it but never moves it off index 1.
 * {@link #save}/{@link #load} use a line-based UTF-8 format described at {@link #save}.
 */
public final class Tokenizer {
    /** Keras's default filters: ASCII punctuation except the apostrophe, plus tab and newline. */
    public static final String DEFAULT_FILTERS = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n";

    private static final String HEADER = "isthmus-tokenizer 1";

    private final int numWords;
    private final String filters;
    private final BitSet filterSet;
    private final boolean lower;
    private final String split;
    private final boolean charLevel;
    private final String oovToken;

    /** In first-seen order, which breaks ties in the ranking. */
    private final LinkedHashMap<String, Integer> wordCounts = new LinkedHashMap<>();
    private final LinkedHashMap<String, Integer> wordIndex = new LinkedHashMap<>();
    private final LinkedHashMap<Integer, String> indexWord = new LinkedHashMap<>();
    private int documentCount;
    private boolean fitted;

    /** A tokenizer with every Keras default. */
    public Tokenizer() {
        this(builder());
    }

    private Tokenizer(Builder b) {
        numWords = b.numWords;
        filters = b.filters;
        filterSet = new BitSet();
        filters.codePoints().forEach(filterSet::set);
        lower = b.lower;
        split = b.split;
        charLevel = b.charLevel;
        oovToken = b.oovToken;
    }

    /**
     * A builder whose options all start at Keras's defaults (no word limit, Keras's filters, lower case, split on
     * a space, word level, no OOV token).
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Options, each defaulting to Keras's. */
    public static final class Builder {
        private int numWords;
        private String filters = DEFAULT_FILTERS;
        private boolean lower = true;
        private String split = " ";
        private boolean charLevel;
        private String oovToken;

        private Builder() {
        }

        /** Emit only the numWords - 1 most frequent words (indices below numWords); 0 means no limit. */
        public Builder numWords(int numWords) {
            if (numWords < 0) {
                throw new IllegalArgumentException("numWords must be 0 (no limit) or positive, got " + numWords);
            }
            this.numWords = numWords;
            return this;
        }

        /** Characters replaced by the split string before splitting. */
        public Builder filters(String filters) {
            this.filters = Objects.requireNonNull(filters, "filters");
            return this;
        }

        /**
         * Whether texts are lower-cased before splitting (default true).
         * @return this builder
         */
        public Builder lower(boolean lower) {
            this.lower = lower;
            return this;
        }

        /** The literal (not a regular expression) word separator. */
        public Builder split(String split) {
            if (split == null || split.isEmpty()) {
                throw new IllegalArgumentException("split must be a non-empty string");
            }
            this.split = split;
            return this;
        }

        /** Every character (spaces and punctuation included, filters unused) is a token. */
        public Builder charLevel(boolean charLevel) {
            this.charLevel = charLevel;
            return this;
        }

        /** A token for words outside the index; it gets index 1. Null means unknown words are dropped. */
        public Builder oovToken(String oovToken) {
            if (oovToken != null && oovToken.isEmpty()) {
                throw new IllegalArgumentException("oovToken must be null (none) or non-empty");
            }
            this.oovToken = oovToken;
            return this;
        }

        /** A tokenizer with these options and an empty word index (call {@code fitOnTexts} next). */
        public Tokenizer build() {
            return new Tokenizer(this);
        }
    }

    // ---------------------------------------------------------------- fitting and converting

    /** Counts the words of {@code texts}, adding to earlier fits, and rebuilds the index. */
    public Tokenizer fitOnTexts(List<String> texts) {
        for (String text : texts) {
            documentCount++;
            for (String w : tokenize(text)) {
                wordCounts.merge(w, 1, Integer::sum);
            }
        }
        rebuildIndex();
        fitted = true;
        return this;
    }

    private void rebuildIndex() {
        List<Map.Entry<String, Integer>> ranked = new ArrayList<>(wordCounts.entrySet());
        ranked.removeIf(e -> e.getKey().equals(oovToken));
        // List.sort is stable, so equal counts keep first-seen order, as Python's sorted does in Keras
        ranked.sort((a, b) -> Integer.compare(b.getValue(), a.getValue()));
        wordIndex.clear();
        indexWord.clear();
        if (oovToken != null) {
            put(oovToken, 1);
        }
        for (Map.Entry<String, Integer> e : ranked) {
            put(e.getKey(), wordIndex.size() + 1);
        }
    }

    private void put(String word, int index) {
        wordIndex.put(word, index);
        indexWord.put(index, word);
    }

    /** The tokens of one text, before any lookup in the index. */
    public List<String> tokenize(String text) {
        Objects.requireNonNull(text, "text");
        if (lower) {
            text = text.toLowerCase(Locale.ROOT);
        }
        List<String> tokens = new ArrayList<>();
        if (charLevel) {
            text.codePoints().forEach(c -> tokens.add(Character.toString(c)));
            return tokens;
        }
        StringBuilder filtered = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (filterSet.get(c)) {
                filtered.append(split);
            } else {
                filtered.appendCodePoint(c);
            }
        });
        String s = filtered.toString();
        int from = 0;
        while (from <= s.length()) {
            int at = s.indexOf(split, from);
            int to = at < 0 ? s.length() : at;
            splitCjk(s.substring(from, to), tokens);
            if (at < 0) {
                break;
            }
            from = at + split.length();
        }
        return tokens;
    }

    private static void splitCjk(String piece, List<String> out) {
        int runStart = 0;
        int i = 0;
        while (i < piece.length()) {
            int c = piece.codePointAt(i);
            int next = i + Character.charCount(c);
            if (isCjk(c)) {
                if (runStart < i) {
                    out.add(piece.substring(runStart, i));
                }
                out.add(piece.substring(i, next));
                runStart = next;
            }
            i = next;
        }
        if (runStart < piece.length()) {
            out.add(piece.substring(runStart));
        }
    }

    private static boolean isCjk(int c) {
        return switch (Character.UnicodeScript.of(c)) {
            case HAN, HIRAGANA, KATAKANA -> true;
            // only precomposed syllables: a lone conjoining jamo is part of a syllable still being composed
            case HANGUL -> Character.UnicodeBlock.of(c) == Character.UnicodeBlock.HANGUL_SYLLABLES;
            default -> false;
        };
    }

    /** Each text as word indices; words outside the index or at/above numWords are dropped or become OOV. */
    public List<int[]> textsToSequences(List<String> texts) {
        requireFitted("textsToSequences");
        Integer oov = oovIndex();
        List<int[]> out = new ArrayList<>(texts.size());
        for (String text : texts) {
            List<String> tokens = tokenize(text);
            int[] seq = new int[tokens.size()];
            int n = 0;
            for (String w : tokens) {
                Integer i = wordIndex.get(w);
                if (i != null && !(numWords > 0 && i >= numWords)) {
                    seq[n++] = i;
                } else if (oov != null) {
                    seq[n++] = oov;
                }
            }
            out.add(n == seq.length ? seq : Arrays.copyOf(seq, n));
        }
        return out;
    }

    /**
     * Each sequence back as words joined by a single space (always a space, as Keras, whatever the split
     * string or char-level mode); unknown indices, 0 included, are dropped or become the OOV token.
     */
    public List<String> sequencesToTexts(List<int[]> sequences) {
        requireFitted("sequencesToTexts");
        Integer oov = oovIndex();
        List<String> out = new ArrayList<>(sequences.size());
        for (int[] seq : sequences) {
            List<String> words = new ArrayList<>(seq.length);
            for (int i : seq) {
                String w = indexWord.get(i);
                if (w != null && !(numWords > 0 && i >= numWords)) {
                    words.add(w);
                } else if (oov != null) {
                    words.add(oovToken);
                }
            }
            out.add(String.join(" ", words));
        }
        return out;
    }

    private Integer oovIndex() {
        return oovToken == null ? null : wordIndex.get(oovToken);
    }

    private void requireFitted(String op) {
        if (!fitted) {
            throw new IllegalStateException("Tokenizer." + op + " before fitOnTexts: the tokenizer has no word index");
        }
    }

    // ---------------------------------------------------------------- state

    /** Word to index (1-based, by descending count), every word seen, whatever numWords; read-only. */
    public Map<String, Integer> wordIndex() {
        return Collections.unmodifiableMap(wordIndex);
    }

    /** Index to word, the inverse of {@link #wordIndex()}; read-only. */
    public Map<Integer, String> indexWord() {
        return Collections.unmodifiableMap(indexWord);
    }

    /** How often each word occurred over all fitted texts, in first-seen order; read-only. */
    public Map<String, Integer> wordCounts() {
        return Collections.unmodifiableMap(wordCounts);
    }

    /** Texts fitted so far. */
    public int documentCount() {
        return documentCount;
    }

    /**
     * The number of distinct indices a sequence can hold, padding 0 included: {@code wordIndex().size() + 1}
     * (Keras users' {@code len(word_index) + 1}), capped at numWords when set, since larger indices are
     * never emitted. This is the {@code inputDim} an embedding layer needs.
     */
    public int vocabularySize() {
        int full = wordIndex.size() + 1;
        return numWords > 0 ? Math.min(numWords, full) : full;
    }

    /** 0 when there is no limit. */
    public int numWords() {
        return numWords;
    }

    /** The characters replaced by the split string before splitting. */
    public String filters() {
        return filters;
    }

    /** Whether texts are lower-cased before splitting. */
    public boolean lower() {
        return lower;
    }

    /** The literal word separator. */
    public String split() {
        return split;
    }

    /** Whether every character is a token (instead of every word). */
    public boolean charLevel() {
        return charLevel;
    }

    /** The OOV token, or null. */
    public String oovToken() {
        return oovToken;
    }

    // ---------------------------------------------------------------- save and load

    /**
     * Writes the tokenizer as UTF-8 lines: the header {@value #HEADER}; the config lines {@code key<TAB>value}
     * for numWords, filters, lower, split, charLevel, oovToken (only when set) and documentCount; a line
     * {@code words<TAB>N}; then N lines {@code word<TAB>index<TAB>count}, OOV token first, then words in
     * first-seen order so that fitting more texts after {@link #load} ranks ties exactly as before. In
     * strings, backslash, tab, newline and carriage return are written {@code \\ \t \n \r}. The file is
     * replaced atomically (see {@link AtomicFiles}).
     */
    public void save(Path file) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append(HEADER).append('\n');
        line(sb, "numWords", Integer.toString(numWords));
        line(sb, "filters", escape(filters));
        line(sb, "lower", Boolean.toString(lower));
        line(sb, "split", escape(split));
        line(sb, "charLevel", Boolean.toString(charLevel));
        if (oovToken != null) {
            line(sb, "oovToken", escape(oovToken));
        }
        line(sb, "documentCount", Integer.toString(documentCount));
        line(sb, "words", Integer.toString(wordIndex.size()));
        List<String> order = new ArrayList<>();
        if (oovToken != null && wordIndex.containsKey(oovToken)) {
            order.add(oovToken);
        }
        for (String w : wordCounts.keySet()) {
            if (!w.equals(oovToken)) {
                order.add(w);
            }
        }
        for (String w : order) {
            sb.append(escape(w)).append('\t').append(wordIndex.get(w)).append('\t')
                    .append(wordCounts.getOrDefault(w, 0)).append('\n');
        }
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(key).append('\t').append(value).append('\n');
    }

    /**
     * Reads a file written by {@link #save}.
     *
     * @throws MalformedDataFileException naming the file and line when the content is not a valid tokenizer
     */
    public static Tokenizer load(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new DataFormatException(file, "not UTF-8 text: " + e, e);
        } catch (OutOfMemoryError e) {
            throw new DataFormatException(file, "too large to load (" + Files.size(file) + " bytes)", e);
        }
        return new Loader(file, lines).load();
    }

    private static final class Loader {
        private final Path file;
        private final List<String> lines;
        /** The next line to read (0-based). */
        private int at;
        /** The line being checked (1-based), for error messages. */
        private int current = 1;

        Loader(Path file, List<String> lines) {
            this.file = file;
            this.lines = lines;
        }

        Tokenizer load() throws MalformedDataFileException {
            if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
                throw error("not a saved tokenizer: the first line must be '" + HEADER + "'");
            }
            at = 1;
            Builder b = builder();
            b.numWords(nonNegative(config("numWords")));
            b.filters(unescape(config("filters")));
            b.lower(bool(config("lower")));
            b.split(nonEmpty(unescape(config("split")), "split"));
            b.charLevel(bool(config("charLevel")));
            if (at < lines.size() && lines.get(at).startsWith("oovToken\t")) {
                b.oovToken(nonEmpty(unescape(config("oovToken")), "oovToken"));
            }
            Tokenizer t = b.build();
            t.documentCount = nonNegative(config("documentCount"));
            int n = nonNegative(config("words"));
            if (n > lines.size() - at) { // before sizing anything by n
                current = lines.size() + 1;
                throw error("expected " + n + " word lines, the file ends after " + (lines.size() - at));
            }
            String[] byIndex = new String[n + 1];
            Set<String> words = new HashSet<>();
            for (int k = 0; k < n; k++) {
                current = at + 1;
                if (at >= lines.size()) {
                    throw error("expected " + n + " word lines, the file ends after " + k);
                }
                String[] f = lines.get(at++).split("\t", -1);
                if (f.length != 3) {
                    throw error("expected word<TAB>index<TAB>count, got " + f.length + " field(s)");
                }
                String word = nonEmpty(unescape(f[0]), "word");
                int index = nonNegative(f[1]);
                int count = nonNegative(f[2]);
                if (index < 1 || index > n) {
                    throw error("index " + index + " of '" + word + "' is outside [1, " + n + "]");
                }
                if (byIndex[index] != null) {
                    throw error("index " + index + " is given to both '" + byIndex[index] + "' and '" + word + "'");
                }
                if (!words.add(word)) {
                    throw error("duplicate word '" + word + "'");
                }
                if (word.equals(t.oovToken) && index != 1) {
                    throw error("the OOV token '" + word + "' must have index 1, has " + index);
                }
                byIndex[index] = word;
                // the OOV token has a count only if the texts themselves contained it
                if (count > 0 || !word.equals(t.oovToken)) {
                    t.wordCounts.put(word, count);
                }
            }
            for (; at < lines.size(); at++) {
                current = at + 1;
                if (!lines.get(at).isEmpty()) {
                    throw error("unexpected content after the " + n + " word lines");
                }
            }
            if (t.oovToken != null && n > 0 && !t.oovToken.equals(byIndex[1])) {
                current = lines.size();
                throw error("the OOV token '" + t.oovToken + "' is missing from the word lines");
            }
            // n distinct indices in [1, n]: byIndex is full, and the saved ranking is kept as it is
            for (int i = 1; i <= n; i++) {
                t.put(byIndex[i], i);
            }
            t.fitted = true;
            return t;
        }

        private String config(String key) throws MalformedDataFileException {
            current = at + 1;
            if (at >= lines.size()) {
                throw error("expected the config line '" + key + "<TAB>value', the file ends");
            }
            String l = lines.get(at++);
            int tab = l.indexOf('\t');
            if (tab < 0 || !l.substring(0, tab).equals(key)) {
                throw error("expected the config line '" + key + "<TAB>value', got '" + l + "'");
            }
            return l.substring(tab + 1);
        }

        private int nonNegative(String s) throws MalformedDataFileException {
            try {
                int v = Integer.parseInt(s);
                if (v >= 0) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // reported below with the line
            }
            throw error("'" + s + "' is not a non-negative integer");
        }

        private boolean bool(String s) throws MalformedDataFileException {
            return switch (s) {
                case "true" -> true;
                case "false" -> false;
                default -> throw error("'" + s + "' is not true or false");
            };
        }

        private String nonEmpty(String s, String what) throws MalformedDataFileException {
            if (s.isEmpty()) {
                throw error(what + " is empty");
            }
            return s;
        }

        private String unescape(String s) throws MalformedDataFileException {
            StringBuilder sb = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = ++i < s.length() ? s.charAt(i) : '\0';
                switch (e) {
                    case '\\' -> sb.append('\\');
                    case 't' -> sb.append('\t');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    default -> throw error("bad escape in '" + s + "': only \\\\ \\t \\n \\r are allowed");
                }
            }
            return sb.toString();
        }

        private MalformedDataFileException error(String problem) {
            return new MalformedDataFileException(file, current, problem);
        }
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
