package dev.isthmus.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequencesTest {
    private static final List<int[]> SEQS = List.of(new int[] {1, 2, 3}, new int[] {4, 5}, new int[] {6});

    private static void assertPadded(float[][] expected, Tensor actual) {
        assertArrayEquals(new int[] {expected.length, expected[0].length}, actual.shape());
        assertEquals(DType.INT32, actual.dtype());
        assertArrayEquals(Tensor.of(expected).cast(DType.INT32).toIntArray(), actual.toIntArray());
    }

    @Test
    void defaultsPadAndTruncateAtTheFrontKeepingTheLastItems() {
        assertPadded(new float[][] {{2, 3}, {4, 5}, {0, 6}}, Sequences.pad(SEQS, 2));
    }

    @Test
    void postPaddingWithPreTruncating() {
        assertPadded(new float[][] {{2, 3}, {4, 5}, {6, 0}}, Sequences.pad(SEQS, 2, Padding.POST));
    }

    @Test
    void prePaddingWithPostTruncatingKeepsTheFirstItems() {
        assertPadded(new float[][] {{1, 2}, {4, 5}, {0, 6}},
                Sequences.pad(SEQS, 2, Padding.PRE, Truncating.POST, 0));
    }

    @Test
    void postPaddingWithPostTruncating() {
        assertPadded(new float[][] {{1, 2}, {4, 5}, {6, 0}},
                Sequences.pad(SEQS, 2, Padding.POST, Truncating.POST, 0));
    }

    @Test
    void noMaxLenMeansTheLongestSequence() {
        float[][] expected = {{1, 2, 3}, {0, 4, 5}, {0, 0, 6}};
        assertPadded(expected, Sequences.pad(SEQS));
        assertPadded(expected, Sequences.pad(SEQS, 0));
        assertPadded(expected, Sequences.pad(SEQS, -1));
    }

    @Test
    void aFloatPaddingValueGivesAFloatTensor() {
        Tensor t = Sequences.pad(SEQS, 2, Padding.POST, Truncating.POST, 0.5f);
        assertEquals(DType.FLOAT32, t.dtype());
        assertArrayEquals(new float[] {1, 2, 4, 5, 6, 0.5f}, t.toArray());
    }

    @Test
    void paddingValueAndEmptySequences() {
        List<int[]> seqs = List.of(new int[] {1, 2, 3}, new int[] {}, new int[] {6});
        assertPadded(new float[][] {{1, 2, 3, -1}, {-1, -1, -1, -1}, {6, -1, -1, -1}},
                Sequences.pad(seqs, 4, Padding.POST, Truncating.PRE, -1));
    }

    @Test
    void padToArrayGivesTheSameLayoutAsInts() {
        assertArrayEquals(new int[][] {{2, 3}, {4, 5}, {0, 6}}, Sequences.padToArray(SEQS, 2));
        assertArrayEquals(new int[][] {{1, 2}, {4, 5}, {6, 9}},
                Sequences.padToArray(SEQS, 2, Padding.POST, Truncating.POST, 9));
    }

    @Test
    void tokenizerOutputPadsStraightIntoATensor() {
        List<String> texts = List.of("The cat sat on the mat.", "The dog ate my homework.");
        Tokenizer tok = new Tokenizer().fitOnTexts(texts);
        assertPadded(new float[][] {{1, 2, 3, 4, 1, 5, 0, 0, 0, 0}, {1, 6, 7, 8, 9, 0, 0, 0, 0, 0}},
                Sequences.pad(tok.textsToSequences(texts), 10, Padding.POST));
    }
}
