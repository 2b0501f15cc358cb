package dev.isthmus.nn.data;

import dev.isthmus.nn.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Pads and truncates integer sequences to one length, as Keras's {@code pad_sequences}: the result is
 * an int32 tensor [n, maxLen] with padding and truncating both {@link Padding#PRE}/{@link Truncating#PRE}
 * and value 0 unless told otherwise. A {@code maxLen} of 0 or less means the length of the longest sequence.
 */
public final class Sequences {
    private Sequences() {
    }

    /** Pads to the longest sequence, before each sequence, with 0. */
    public static Tensor pad(List<int[]> seqs) {
        return pad(seqs, 0);
    }

    /**
     * Pads (with 0, before each sequence) or truncates (from the front) every sequence to {@code maxLen} (0 or less:
     * the longest): an int32 tensor [seqs.size(), maxLen] on the default device, owned by the current scope.
     */
    public static Tensor pad(List<int[]> seqs, int maxLen) {
        return pad(seqs, maxLen, Padding.PRE);
    }

    /**
     * As {@link #pad(List, int)}, padding at {@code padding}'s end of each sequence; truncating still from the front.
     */
    public static Tensor pad(List<int[]> seqs, int maxLen, Padding padding) {
        return pad(seqs, maxLen, padding, Truncating.PRE, 0);
    }

    /** An int32 tensor [seqs.size(), maxLen] (what Embedding takes), padded with {@code value}. */
    public static Tensor pad(List<int[]> seqs, int maxLen, Padding padding, Truncating truncating, int value) {
        int[][] rows = padToArray(seqs, maxLen, padding, truncating, value);
        int len = length(seqs, maxLen);
        int[] flat = new int[rows.length * len];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * len, len);
        }
        return Tensor.of(flat, rows.length, len);
    }

    /**
     * A float32 tensor [seqs.size(), maxLen] padded with a float {@code value}, for models that read
     * the items as numbers; items are exact up to 2^24.
     */
    public static Tensor pad(List<int[]> seqs, int maxLen, Padding padding, Truncating truncating, float value) {
        int len = length(seqs, maxLen);
        float[] out = new float[seqs.size() * len];
        Arrays.fill(out, value);
        for (int r = 0; r < seqs.size(); r++) {
            int[] s = seqs.get(r);
            int[] p = placement(s.length, len, padding, truncating);
            for (int k = 0; k < p[2]; k++) {
                out[r * len + p[1] + k] = s[p[0] + k];
            }
        }
        return Tensor.of(out, seqs.size(), len);
    }

    /** The int32 rows {@link #pad(List, int)} would hold, as Java arrays, without making a tensor. */
    public static int[][] padToArray(List<int[]> seqs, int maxLen) {
        return padToArray(seqs, maxLen, Padding.PRE, Truncating.PRE, 0);
    }

    /** The same layout as {@link #pad} on the host, for callers that keep working with ints. */
    public static int[][] padToArray(List<int[]> seqs, int maxLen, Padding padding, Truncating truncating, int value) {
        int len = length(seqs, maxLen);
        int[][] out = new int[seqs.size()][len];
        for (int r = 0; r < seqs.size(); r++) {
            int[] s = seqs.get(r);
            int[] p = placement(s.length, len, padding, truncating);
            Arrays.fill(out[r], value);
            System.arraycopy(s, p[0], out[r], p[1], p[2]);
        }
        return out;
    }

    private static int length(List<int[]> seqs, int maxLen) {
        Objects.requireNonNull(seqs, "seqs");
        int longest = 0;
        for (int i = 0; i < seqs.size(); i++) {
            if (seqs.get(i) == null) {
                throw new NullPointerException("sequence " + i + " is null");
            }
            longest = Math.max(longest, seqs.get(i).length);
        }
        return maxLen > 0 ? maxLen : longest;
    }

    /** {source start, destination start, count} for a sequence of length n in a row of length len. */
    private static int[] placement(int n, int len, Padding padding, Truncating truncating) {
        Objects.requireNonNull(padding, "padding");
        Objects.requireNonNull(truncating, "truncating");
        int count = Math.min(n, len);
        int from = truncating == Truncating.PRE ? n - count : 0;
        int to = padding == Padding.PRE ? len - count : 0;
        return new int[] {from, to, count};
    }
}
