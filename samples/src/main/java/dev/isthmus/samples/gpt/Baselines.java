package dev.isthmus.samples.gpt;

import dev.isthmus.nn.tensor.Tensor;

/**
 * Count models to measure the Transformer against: a unigram and a bigram over the training ids,
 * add-one smoothed over the vocabulary, scored in bits per character on exactly the positions the
 * model is scored on (each window's every next character, the bigram conditioned on the input
 * character at the same position, which the model sees too).
 */
final class Baselines {
    private Baselines() {
    }

    /** {unigram, bigram} bits per character of the windows' labels y given their inputs x. */
    static double[] bitsPerCharacter(int[] train, Tensor x, Tensor y, int vocabulary) {
        long[] unigram = new long[vocabulary];
        long[][] bigram = new long[vocabulary][vocabulary];
        for (int i = 0; i < train.length; i++) {
            unigram[train[i]]++;
            if (i > 0) {
                bigram[train[i - 1]][train[i]]++;
            }
        }
        long[] rowTotals = new long[vocabulary];
        for (int a = 0; a < vocabulary; a++) {
            for (int b = 0; b < vocabulary; b++) {
                rowTotals[a] += bigram[a][b];
            }
        }
        float[] xs = x.cast(dev.isthmus.nn.tensor.DType.FLOAT32).toArray();
        float[] ys = y.toArray();
        double uni = 0;
        double bi = 0;
        for (int i = 0; i < ys.length; i++) {
            int prev = (int) xs[i];
            int next = (int) ys[i];
            uni -= Math.log((unigram[next] + 1.0) / (train.length + vocabulary));
            bi -= Math.log((bigram[prev][next] + 1.0) / (rowTotals[prev] + vocabulary));
        }
        double ln2 = Math.log(2);
        return new double[] {uni / ys.length / ln2, bi / ys.length / ln2};
    }
}
