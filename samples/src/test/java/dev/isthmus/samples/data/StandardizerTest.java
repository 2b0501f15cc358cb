package dev.isthmus.samples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StandardizerTest {

    @Test
    void transformedTrainingColumnsHaveZeroMeanAndUnitPopulationStd() {
        SplittableRandom r = new SplittableRandom(1);
        double[][] x = new double[200][3];
        for (double[] row : x) {
            row[0] = 5 + 2 * r.nextGaussian();
            row[1] = -300 + 40 * r.nextGaussian();
            row[2] = r.nextDouble();
        }
        double[][] z = Standardizer.fit(x).transform(x);
        for (int j = 0; j < 3; j++) {
            double mean = 0;
            for (double[] row : z) {
                mean += row[j];
            }
            mean /= z.length;
            double var = 0;
            for (double[] row : z) {
                var += (row[j] - mean) * (row[j] - mean);
            }
            assertEquals(0, mean, 1e-12, "column " + j + " mean");
            assertEquals(1, var / z.length, 1e-12, "column " + j + " population variance");
        }
    }

    @Test
    void usesPopulationStd() {
        Standardizer s = Standardizer.fit(new double[][] {{1}, {3}});
        assertArrayEquals(new double[] {2}, s.mean());
        assertArrayEquals(new double[] {1}, s.std()); // population: sqrt(((1-2)² + (3-2)²) / 2)
        assertArrayEquals(new double[] {-1}, s.transform(new double[] {1}));
    }

    @Test
    void constantColumnGetsUnitStdAndMapsToZero() {
        double[][] x = {{0.1, 1}, {0.1, 2}, {0.1, 3}};
        Standardizer s = Standardizer.fit(x);
        assertEquals(1.0, s.std()[0]);
        for (double[] row : s.transform(x)) {
            assertEquals(0.0, row[0]);
        }
        assertEquals(0.9, s.transform(new double[] {1.0, 2})[0], 1e-15);
    }

    @Test
    void fitsOnTheGivenRowsOnly() {
        double[][] x = {{1}, {3}, {1000}};
        Standardizer s = Standardizer.fit(x, new int[] {0, 1});
        assertArrayEquals(new double[] {2}, s.mean());
        assertEquals(998.0, s.transform(x)[2][0]);
    }

    @Test
    void inverseTransformRestoresTheRow() {
        double[][] x = {{1, -5}, {4, 7}, {9, 2}};
        Standardizer s = Standardizer.fit(x);
        for (double[] row : x) {
            assertArrayEquals(row, s.inverseTransform(s.transform(row)), 1e-12);
        }
    }

    @Test
    void rejectsRowsOfTheWrongWidthAndEmptyFits() {
        Standardizer s = Standardizer.fit(new double[][] {{1, 2}, {3, 4}});
        assertThrows(IllegalArgumentException.class, () -> s.transform(new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Standardizer.fit(new double[0][]));
        assertThrows(IllegalArgumentException.class, () -> Standardizer.fit(new double[][] {{1, 2}, {3}}));
    }
}
