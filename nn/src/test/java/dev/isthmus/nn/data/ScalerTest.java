package dev.isthmus.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.tensor.ShapeMismatchException;
import dev.isthmus.nn.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ScalerTest {
    private static final float[][] DATA = {{1, 10}, {2, 20}, {3, 30}, {4, 40}};

    @Test
    void standardScalerUsesThePopulationStandardDeviation() {
        StandardScaler s = new StandardScaler().fit(Tensor.of(DATA));
        assertArrayEquals(new double[] {2.5, 25}, s.mean(), 1e-12);
        // var = (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25
        assertArrayEquals(new double[] {Math.sqrt(1.25), Math.sqrt(125)}, s.scale(), 1e-12);
        float a = (float) (1.5 / Math.sqrt(1.25));
        float b = (float) (0.5 / Math.sqrt(1.25));
        assertArrayEquals(new float[] {-a, -a, -b, -b, b, b, a, a}, s.transform(Tensor.of(DATA)).toArray(), 1e-6f);
    }

    @Test
    void standardScalerInverseRoundTrips() {
        StandardScaler s = new StandardScaler();
        Tensor x = Tensor.of(DATA);
        assertArrayEquals(x.toArray(), s.inverseTransform(s.fitTransform(x)).toArray(), 1e-5f);
        float[] fresh = {100, -3, 0.25f, 7};
        Tensor y = Tensor.of(fresh, 2, 2);
        assertArrayEquals(fresh, s.inverseTransform(s.transform(y)).toArray(), 1e-4f);
    }

    @Test
    void standardScalerMapsAConstantColumnToZeroWithScaleOne() {
        StandardScaler s = new StandardScaler().fit(new float[][] {{0.1f, 1}, {0.1f, 2}, {0.1f, 3}});
        assertArrayEquals(new double[] {1, Math.sqrt(2.0 / 3)}, s.scale(), 1e-12);
        Tensor t = s.transform(Tensor.of(new float[][] {{0.1f, 2}}));
        assertArrayEquals(new float[] {0, 0}, t.toArray(), 1e-7f);
        assertArrayEquals(new float[] {0.1f, 2}, s.inverseTransform(t).toArray(), 1e-7f);
    }

    @Test
    void minMaxScalerMapsTheTrainingRangeToZeroOne() {
        MinMaxScaler s = new MinMaxScaler();
        Tensor t = s.fitTransform(Tensor.of(DATA));
        float third = 1f / 3;
        assertArrayEquals(new float[] {0, 0, third, third, 2 * third, 2 * third, 1, 1}, t.toArray(), 1e-6f);
        assertArrayEquals(new double[] {1, 10}, s.dataMin(), 0);
        assertArrayEquals(new double[] {4, 40}, s.dataMax(), 0);
        assertArrayEquals(Tensor.of(DATA).toArray(), s.inverseTransform(t).toArray(), 1e-5f);
    }

    @Test
    void minMaxScalerCustomRangeAndConstantColumnGoesToRangeMinimum() {
        MinMaxScaler s = new MinMaxScaler(-1, 1).fit(new float[][] {{1, 5}, {3, 5}, {2, 5}});
        Tensor t = s.transform(Tensor.of(new float[][] {{1, 5}, {3, 5}, {2, 5}, {5, 5}}));
        assertArrayEquals(new float[] {-1, -1, 1, -1, 0, -1, 3, -1}, t.toArray(), 1e-6f);
        assertArrayEquals(new float[] {1, 5, 3, 5, 2, 5, 5, 5}, s.inverseTransform(t).toArray(), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> new MinMaxScaler(1, 1));
    }

    @Test
    void transformBeforeFitIsAnError() {
        Tensor x = Tensor.of(DATA);
        assertThrows(IllegalStateException.class, () -> new StandardScaler().transform(x));
        assertThrows(IllegalStateException.class, () -> new MinMaxScaler().inverseTransform(x));
    }

    @Test
    void featureCountMismatchNamesBothShapes() {
        Tensor three = Tensor.of(new float[6], 2, 3);
        var e = assertThrows(ShapeMismatchException.class,
                () -> new StandardScaler().fit(Tensor.of(DATA)).transform(three));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 2]"), e.getMessage());
        var m = assertThrows(ShapeMismatchException.class, () -> new MinMaxScaler().fit(DATA).transform(three));
        assertTrue(m.getMessage().contains("[2, 3]") && m.getMessage().contains("[4, 2]"), m.getMessage());
        assertThrows(ShapeMismatchException.class, () -> new StandardScaler().fit(Tensor.of(new float[4], 4)));
    }
}
