package dev.isthmus.samples.gpt;

import dev.isthmus.nn.model.Model;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Sampling a continuation from the model: each step runs the last {@value GptSample#CONTEXT}
 * characters (a shorter prompt is preceded by blank lines, as a fortune follows the one before it)
 * and draws the next character from the last position's logits divided by the temperature, among
 * the {@code topK} most likely (the unknown character never), with a seeded random stream.
 */
final class Generation {
    private Generation() {
    }

    static String continueText(Model model, Characters chars, String prompt, int count, float temperature, int topK, long seed) {
        if (!(temperature > 0) || topK < 1) {
            throw new IllegalArgumentException("temperature must be > 0 and top-k >= 1, got " + temperature + " and " + topK);
        }
        int context = GptSample.CONTEXT;
        int[] ids = chars.encode(prompt);
        int pad = chars.id('\n');
        int[] window = new int[context];
        Arrays.fill(window, pad);
        int have = Math.min(ids.length, context);
        System.arraycopy(ids, ids.length - have, window, context - have, have);
        SplittableRandom random = GptSample.random(seed);
        StringBuilder out = new StringBuilder();
        for (int step = 0; step < count; step++) {
            float[] logits = model.predict(Tensor.of(Device.CPU, window, 1, context), 1).toArray();
            int vocabulary = logits.length / context;
            int next = draw(Arrays.copyOfRange(logits, (context - 1) * vocabulary, context * vocabulary), temperature, topK,
                    random);
            out.append(chars.text(next));
            System.arraycopy(window, 1, window, 0, context - 1);
            window[context - 1] = next;
        }
        return out.toString();
    }

    /** An id drawn from softmax(logits / temperature) restricted to the top k (id 0, unknown, excluded). */
    static int draw(float[] logits, float temperature, int topK, SplittableRandom random) {
        Integer[] order = new Integer[logits.length - 1];
        for (int i = 0; i < order.length; i++) {
            order[i] = i + 1;
        }
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        int k = Math.min(topK, order.length);
        double max = logits[order[0]] / temperature;
        double[] weights = new double[k];
        double total = 0;
        for (int i = 0; i < k; i++) {
            weights[i] = Math.exp(logits[order[i]] / temperature - max);
            total += weights[i];
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < k; i++) {
            u -= weights[i];
            if (u <= 0) {
                return order[i];
            }
        }
        return order[k - 1];
    }
}
