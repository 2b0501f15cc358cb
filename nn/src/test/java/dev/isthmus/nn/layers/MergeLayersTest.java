package dev.isthmus.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.nn.testkit.GradientCheck;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MergeLayersTest {
    private static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return Tensor.of(v, shape);
    }

    private static void check(MergeLayer layer, int[]... shapes) {
        Tensor[] in = new Tensor[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            in[i] = random(i + 1, shapes[i]);
        }
        GradientCheck.standard().check(layer.typeName(), layer::merge, in);
    }

    @Test
    void everyMergeMatchesFiniteDifferences() {
        try (Scope s = Scope.open("test")) {
            check(new Add(), new int[] {2, 3}, new int[] {2, 3}, new int[] {2, 3});
            check(new Subtract(), new int[] {2, 3}, new int[] {2, 3});
            check(new Multiply(), new int[] {2, 3}, new int[] {2, 3});
            check(new Average(), new int[] {2, 3}, new int[] {2, 3});
            check(new Concatenate(1), new int[] {2, 3}, new int[] {2, 2});
            check(new Concatenate(-1), new int[] {2, 2, 3}, new int[] {2, 2, 1});
            check(new Dot(1), new int[] {2, 3}, new int[] {2, 3});
            check(new Dot(2, 1), new int[] {2, 2, 3}, new int[] {2, 3, 4});
            check(new Dot(1, 1), new int[] {2, 3, 2}, new int[] {2, 3, 4});
        }
    }

    @Test
    void outputShapesFollowKeras() {
        assertArrayEquals(new int[] {5}, new Concatenate().computeOutputShape(List.of(new int[] {3}, new int[] {2})));
        assertArrayEquals(new int[] {1}, new Dot(1).computeOutputShape(List.of(new int[] {3}, new int[] {3})));
        assertArrayEquals(new int[] {2, 4}, new Dot(2, 1).computeOutputShape(List.of(new int[] {2, 3}, new int[] {3, 4})));
        assertArrayEquals(new int[] {4}, new Add().apply(Input.of(4), Input.of(4)).shape());
    }

    @Test
    void shapesThatCannotMergeAreRefusedNamingBoth() {
        ShapeMismatchException add = assertThrows(ShapeMismatchException.class, () -> new Add().apply(Input.of(3), Input.of(4)));
        assertTrue(add.getMessage().startsWith("Add: shapes") && add.getMessage().contains("3")
                && add.getMessage().contains("4"), add.getMessage());
        ShapeMismatchException cat = assertThrows(ShapeMismatchException.class,
                () -> new Concatenate(-1).apply(Input.of(2, 3), Input.of(4, 3)));
        assertTrue(cat.getMessage().contains("Concatenate"), cat.getMessage());
        assertThrows(ShapeMismatchException.class, () -> new Dot(1).apply(Input.of(3), Input.of(4)));
        assertThrows(IllegalArgumentException.class, () -> new Subtract().apply(Input.of(3), Input.of(3), Input.of(3)));
    }
}
