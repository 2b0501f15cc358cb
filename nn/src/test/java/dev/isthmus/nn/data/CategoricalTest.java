package dev.isthmus.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.Test;

class CategoricalTest {

    @Test
    void oneHotEncodesEachLabelInItsRow() {
        Tensor t = Categorical.toCategorical(new int[] {0, 2, 1, 2}, 3);
        assertArrayEquals(new int[] {4, 3}, t.shape());
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1}, t.toArray());
    }

    @Test
    void numClassesZeroMeansMaxLabelPlusOne() {
        Tensor t = Categorical.toCategorical(new int[] {1, 3}, 0);
        assertArrayEquals(new int[] {2, 4}, t.shape());
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 0, 0, 1}, t.toArray());
    }

    @Test
    void labelOutOfRangeNamesTheLabelAndPosition() {
        var high = assertThrows(IndexOutOfBoundsException.class,
                () -> Categorical.toCategorical(new int[] {0, 3, 1}, 3));
        assertTrue(high.getMessage().contains("label 3 at position 1"), high.getMessage());
        var negative = assertThrows(IndexOutOfBoundsException.class,
                () -> Categorical.toCategorical(new int[] {0, 1, -1}, 3));
        assertTrue(negative.getMessage().contains("label -1 at position 2"), negative.getMessage());
    }

    @Test
    void tensorLabelsDropATrailingAxisOfOneAsKerasDoes() {
        Tensor column = Tensor.of(new float[] {2, 0}, 2, 1);
        Tensor t = Categorical.toCategorical(column, 3);
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0}, t.toArray());
        assertArrayEquals(new int[] {2, 2, 2},
                Categorical.toCategorical(Tensor.of(new float[] {0, 1, 1, 0}, 2, 2), 0).shape());
        assertThrows(IllegalArgumentException.class,
                () -> Categorical.toCategorical(Tensor.of(new float[] {0.5f}, 1), 2));
    }

    @Test
    void argmaxTakesTheLastAxisAndTheFirstOfTies() {
        Tensor p = Tensor.of(new float[] {0.1f, 0.7f, 0.2f, 0.5f, 0.5f, 0f}, 2, 3);
        assertArrayEquals(new int[] {1, 0}, Categorical.argmax(p));
        int[] labels = {3, 0, 2, 2, 1};
        assertArrayEquals(labels, Categorical.argmax(Categorical.toCategorical(labels, 4)));
    }
}
