package dev.isthmus.samples.gpt;

import dev.isthmus.samples.Outputs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The character vocabulary: id 0 for any character the training text lacks, then the training
 * text's characters (Unicode code points) from the most frequent, ties by code point. Saved beside
 * the model so that {@code predict gpt} encodes a prompt with the ids it was trained on.
 */
final class Characters {
    /** What the vocabulary file holds. */
    record Saved(List<Integer> codePoints) {
    }

    private final List<Integer> codePoints;
    private final Map<Integer, Integer> ids = new HashMap<>();

    private Characters(List<Integer> codePoints) {
        this.codePoints = List.copyOf(codePoints);
        for (int i = 0; i < codePoints.size(); i++) {
            ids.put(codePoints.get(i), i + 1);
        }
    }

    static Characters of(String text) {
        Map<Integer, Integer> counts = new HashMap<>();
        text.codePoints().forEach(c -> counts.merge(c, 1, Integer::sum));
        List<Integer> order = new ArrayList<>(counts.keySet());
        order.sort((a, b) -> counts.get(b).equals(counts.get(a)) ? Integer.compare(a, b) : Integer.compare(counts.get(b), counts.get(a)));
        return new Characters(order);
    }

    static Characters load(Path file) throws IOException {
        Saved s = Outputs.readJson(file, Saved.class);
        if (s == null || s.codePoints() == null || s.codePoints().isEmpty()) {
            throw new IOException(file + " holds no characters; train the gpt sample again");
        }
        return new Characters(s.codePoints());
    }

    void save(Path file) throws IOException {
        Outputs.writeJson(file, new Saved(codePoints));
    }

    /** Ids, with the unknown character counted: the model's vocabulary size. */
    int size() {
        return codePoints.size() + 1;
    }

    int id(int codePoint) {
        return ids.getOrDefault(codePoint, 0);
    }

    int[] encode(String text) {
        return text.codePoints().map(this::id).toArray();
    }

    /** The text of an id; the unknown id (never sampled) reads as U+FFFD. */
    String text(int id) {
        return id <= 0 || id > codePoints.size() ? "\uFFFD" : Character.toString(codePoints.get(id - 1));
    }
}
