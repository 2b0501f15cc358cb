package dev.isthmus.samples.mlp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LeastSquaresTest {

    private static double[][] randomX(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] x = new double[n][d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = 10 * r.nextGaussian() + j * 50;
            }
        }
        return x;
    }

    private static double[] linear(double[][] x, double intercept, double[] coef) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = intercept;
            for (int j = 0; j < coef.length; j++) {
                y[i] += coef[j] * x[i][j];
            }
        }
        return y;
    }

    @Test
    void recoversKnownCoefficientsFromNoiseFreeTargetsWithR2OfOne() {
        double[] coef = {1.5, -2.0, 0.25, 4.0, 0.0};
        double[][] x = randomX(60, coef.length, 3);
        double[] y = linear(x, 7.0, coef);
        LeastSquares m = LeastSquares.fit(x, y);
        assertEquals(0.0, m.ridge(), "well-posed data needs no ridge");
        assertArrayEquals(coef, m.coefficients(), 1e-10);
        assertEquals(7.0, m.intercept(), 1e-8);
        assertEquals(1.0, RegressionMetrics.r2(y, m.predict(x)), 1e-12);
        assertArrayEquals(y, m.predict(x), 1e-8);
    }

    @Test
    void matchesTheClosedFormForASimpleLine() {
        double[][] x = {{0}, {1}, {2}, {3}};
        double[] y = {1, 3, 2, 5};
        LeastSquares m = LeastSquares.fit(x, y);
        // slope = cov(x, y) / var(x) = 1.1, intercept = mean(y) - slope * mean(x) = 2.75 - 1.65
        assertEquals(1.1, m.coefficients()[0], 1e-14);
        assertEquals(1.1, m.intercept(), 1e-14);
    }

    @Test
    void duplicatedColumnFallsBackToTinyRidgeAndStillFits() {
        double[][] base = randomX(40, 2, 5);
        double[][] x = new double[40][];
        for (int i = 0; i < 40; i++) {
            x[i] = new double[] {base[i][0], base[i][1], base[i][0]};
        }
        double[] y = linear(base, -3, new double[] {2, 0.5});
        LeastSquares m = LeastSquares.fit(x, y);
        assertTrue(m.ridge() > 0, "rank-deficient data uses the ridge fallback");
        assertEquals(2.0, m.coefficients()[0] + m.coefficients()[2], 1e-6);
        assertEquals(1.0, RegressionMetrics.r2(y, m.predict(x)), 1e-9);
    }

    @Test
    void constantColumnAndFewerRowsThanFeaturesStayFinite() {
        double[][] x = {{1, 5, 2, 9}, {2, 5, 7, 1}, {3, 5, 1, 4}};
        double[] y = {1, 2, 3};
        LeastSquares m = LeastSquares.fit(x, y);
        assertTrue(m.ridge() > 0);
        for (double c : m.coefficients()) {
            assertTrue(Double.isFinite(c));
        }
        assertEquals(0.0, m.coefficients()[1], 1e-12, "a constant column gets no weight");
        assertArrayEquals(y, m.predict(x), 1e-5);
    }

    @Test
    void noFeaturesPredictsTheMean() {
        LeastSquares m = LeastSquares.fit(new double[][] {{}, {}, {}}, new double[] {1, 2, 6});
        assertEquals(3.0, m.predict(new double[0]));
    }

    @Test
    void rejectsMismatchedRaggedOrNonFiniteInput() {
        assertThrows(IllegalArgumentException.class, () -> LeastSquares.fit(new double[][] {{1}, {2}}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> LeastSquares.fit(new double[][] {{1, 2}, {2}}, new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class,
                () -> LeastSquares.fit(new double[][] {{1}, {Double.NaN}}, new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> LeastSquares.fit(new double[0][], new double[0]));
        LeastSquares m = LeastSquares.fit(new double[][] {{1}, {2}}, new double[] {1, 2});
        assertThrows(IllegalArgumentException.class, () -> m.predict(new double[] {1, 2}));
    }
}
