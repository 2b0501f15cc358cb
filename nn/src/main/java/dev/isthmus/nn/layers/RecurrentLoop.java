package dev.isthmus.nn.layers;

import dev.isthmus.nn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared part of the recurrent layers that run as a loop of tensor operations over the steps
 * (SimpleRNN, GRU): input checks, Keras's masking rule (a padded step keeps the state and repeats
 * the previous output) and collecting the outputs.
 */
final class RecurrentLoop {
    /** One step: the new state from the step's input [batch, features] and the previous state [batch, units]. */
    @FunctionalInterface
    interface Step {
        Tensor next(Tensor input, Tensor state);
    }

    private RecurrentLoop() {
    }

    static int[] outputShape(String layer, int[] s, int units, boolean returnSequences) {
        if (s.length != 2) {
            throw new IllegalArgumentException(layer + " expects [time, features] per sample, got " + java.util.Arrays.toString(s));
        }
        return returnSequences ? new int[] {s[0], units} : new int[] {units};
    }

    /**
     * Runs {@code step} over the time axis of x [batch, time, features] from a zero state; with a
     * mask [batch, time] (1 real, 0 padding) a padded step carries the state. Returns the last state
     * [batch, units] or every step's [batch, time, units].
     */
    static Tensor run(Tensor x, Tensor mask, int units, boolean returnSequences, Step step) {
        int n = x.size(0);
        int t = x.size(1);
        int d = x.size(2);
        Tensor h = Tensor.full(x.device(), 0f, n, units);
        List<Tensor> outputs = new ArrayList<>(returnSequences ? t : 0);
        for (int i = 0; i < t; i++) {
            Tensor input = x.slice(1, i, i + 1).reshape(n, d);
            Tensor next = step.next(input, h);
            if (mask != null) {
                Tensor m = mask.slice(1, i, i + 1);
                next = next.mul(m).add(h.mul(m.neg().add(1f)));
            }
            h = next;
            if (returnSequences) {
                outputs.add(h.reshape(n, 1, units));
            }
        }
        return returnSequences ? Tensor.concat(outputs, 1) : h;
    }
}
