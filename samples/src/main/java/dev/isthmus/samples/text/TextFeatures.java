package dev.isthmus.samples.text;

import dev.isthmus.nn.data.Padding;
import dev.isthmus.nn.data.Sequences;
import dev.isthmus.nn.data.Tokenizer;
import dev.isthmus.nn.data.Truncating;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.samples.data.SentimentSentences.Sentence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The pure pieces of the text sample: the seeded, stratified train/test split, the tokenizer fitted
 * on the training texts and the padded id sequences and label tensors the model takes.
 */
public final class TextFeatures {
    /** Words kept of each sentence (the last ones when longer; padding after the words when shorter). */
    public static final int MAX_LEN = 20;
    /** The token unknown words map to; it has index 1. */
    public static final String OOV_TOKEN = "<OOV>";

    private TextFeatures() {
    }

    /** Training and test sentences, each in a shuffled order. */
    public record Split(List<Sentence> train, List<Sentence> test) {
    }

    /**
     * Holds out {@code testFraction} of every (source, label) group, chosen by a shuffle seeded with
     * {@code seed}, so the test set has the data's mix of sources and classes; both parts are then
     * shuffled (with the same seed) so that neither is ordered by source or label — a validation split
     * taken off the end of the training part is then a fair sample of it.
     */
    public static Split split(List<Sentence> all, double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("test fraction must be in (0, 1), got " + testFraction);
        }
        Map<String, List<Sentence>> groups = new LinkedHashMap<>();
        for (Sentence s : all) {
            groups.computeIfAbsent(s.source() + "\u0000" + s.label(), k -> new ArrayList<>()).add(s);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Sentence> train = new ArrayList<>();
        List<Sentence> test = new ArrayList<>();
        for (List<Sentence> group : groups.values()) {
            List<Sentence> g = new ArrayList<>(group);
            shuffle(g, random);
            int nTest = (int) Math.round(g.size() * testFraction);
            test.addAll(g.subList(0, nTest));
            train.addAll(g.subList(nTest, g.size()));
        }
        shuffle(train, random);
        shuffle(test, random);
        if (train.isEmpty() || test.isEmpty()) {
            throw new IllegalArgumentException("a test fraction of " + testFraction + " of " + all.size()
                    + " sentences leaves an empty training or test set");
        }
        return new Split(List.copyOf(train), List.copyOf(test));
    }

    private static <T> void shuffle(List<T> list, SplittableRandom random) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    /** A tokenizer (Keras defaults, {@link #OOV_TOKEN}, {@code numWords} 0 for all words) fitted on the texts. */
    public static Tokenizer fitTokenizer(List<Sentence> train, int numWords) {
        return Tokenizer.builder().numWords(numWords).oovToken(OOV_TOKEN).build().fitOnTexts(texts(train));
    }

    public static List<String> texts(List<Sentence> sentences) {
        return sentences.stream().map(Sentence::text).toList();
    }

    /** Word ids [n, {@link #MAX_LEN}], padded with 0 after the words, long sentences cut at the front. */
    public static Tensor features(Tokenizer tokenizer, List<String> texts) {
        return Sequences.pad(tokenizer.textsToSequences(texts), MAX_LEN, Padding.POST, Truncating.PRE, 0);
    }

    /** Class ids [n] (int32): 0 negative, 1 positive. */
    public static Tensor labels(List<Sentence> sentences) {
        int[] y = new int[sentences.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = sentences.get(i).label();
        }
        return Tensor.of(y, y.length);
    }
}
