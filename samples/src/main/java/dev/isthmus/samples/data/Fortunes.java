package dev.isthmus.samples.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fortune cookies of Debian's {@value #PACKAGE} package (about 2.4 MB of English quotations,
 * jokes, verse and definitions in UTF-8, one file a category, fortunes separated by lines holding
 * only {@code %}): the GPT sample's corpus. The King James Bible of {@code bible-kjv-text} was the
 * first choice, but that package ships the text in its own compressed format ("EC02 Compressed
 * Data File"), which nothing else reads; the fortunes are plain text, real prose of many voices,
 * and of the size a character model trains on in minutes. The {@code ascii-art} category (pictures,
 * not language) is left out.
 */
public final class Fortunes {
    /** The Debian package that ships the files. */
    public static final String PACKAGE = "fortunes";
    private static final String DIR = "usr/share/games/fortunes/";
    /** The categories read, in this order (every text file of the package but ascii-art). */
    public static final List<String> CATEGORIES = List.of("art", "computers", "cookie", "debian", "definitions",
            "disclaimer", "drugs", "education", "ethnic", "food", "goedel", "humorists", "kids", "knghtbrd", "law",
            "linux", "linuxcookie", "love", "magic", "medicine", "men-women", "miscellaneous", "news", "paradoxum",
            "people", "perl", "pets", "platitudes", "politics", "pratchett", "science", "songs-poems", "sports",
            "startrek", "tao", "translate-me", "wisdom", "work", "zippy");

    private Fortunes() {
    }

    /** The package's members read, as paths inside it. */
    public static List<String> members() {
        return CATEGORIES.stream().map(c -> DIR + c).toList();
    }

    /** Whether the files are already extracted and verified in the cache (runs and fetches nothing). */
    public static boolean isCached(Path cacheDir) {
        return new DebianPackage(new DatasetCache(cacheDir), PACKAGE).isExtracted(members());
    }

    /** Every fortune of every category, in file order, each without its separator line. */
    public static List<String> load(Path cacheDir) throws IOException {
        Map<String, Path> files = new DebianPackage(new DatasetCache(cacheDir), PACKAGE).extract(members());
        List<String> fortunes = new ArrayList<>();
        for (String member : members()) {
            Path file = files.get(member);
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            fortunes.addAll(split(text));
        }
        if (fortunes.size() < 1000) {
            throw new DatasetFormatException(files.get(members().getFirst()).getParent(), 0, "only " + fortunes.size()
                    + " fortunes in " + PACKAGE + "; expected thousands (is the package's layout different?)");
        }
        return fortunes;
    }

    /** The fortunes of one file: the text between lines holding only "%", trimmed of blank edges; empty ones dropped. */
    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.replace("\r\n", "\n").split("\n", -1)) {
            if (line.equals("%")) {
                add(out, current);
                current.setLength(0);
            } else {
                current.append(line).append('\n');
            }
        }
        add(out, current);
        return out;
    }

    private static void add(List<String> out, StringBuilder fortune) {
        String s = fortune.toString().strip();
        if (!s.isEmpty()) {
            out.add(s);
        }
    }
}
