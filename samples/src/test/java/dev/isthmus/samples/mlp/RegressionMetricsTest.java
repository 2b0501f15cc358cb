package dev.isthmus.samples.mlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RegressionMetricsTest {

    private static final double[] Y = {1, 2, 3, 4};

    @Test
    void mseIsTheMeanOfSquaredErrors() {
        assertEquals((0 + 1 + 4 + 0) / 4.0, RegressionMetrics.mse(Y, new double[] {1, 3, 5, 4}));
        assertEquals(Math.sqrt(5 / 4.0), RegressionMetrics.rmse(Y, new double[] {1, 3, 5, 4}));
        assertEquals(3 / 4.0, RegressionMetrics.mae(Y, new double[] {1, 3, 5, 4}));
    }

    @Test
    void r2IsOneForPerfectZeroForTheMeanAndNegativeWhenWorse() {
        assertEquals(1.0, RegressionMetrics.r2(Y, Y.clone()));
        assertEquals(0.0, RegressionMetrics.r2(Y, new double[] {2.5, 2.5, 2.5, 2.5}));
        assertEquals(1 - 20 / 5.0, RegressionMetrics.r2(Y, new double[] {4, 3, 2, 1}), 1e-15);
    }

    @Test
    void r2OfConstantTargetsIsOneIfExactElseZero() {
        double[] c = {2, 2, 2};
        assertEquals(1.0, RegressionMetrics.r2(c, c.clone()));
        assertEquals(0.0, RegressionMetrics.r2(c, new double[] {2, 2, 3}));
    }

    @Test
    void rejectsMismatchedOrEmptyInput() {
        assertThrows(IllegalArgumentException.class, () -> RegressionMetrics.mse(Y, new double[3]));
        assertThrows(IllegalArgumentException.class, () -> RegressionMetrics.r2(new double[0], new double[0]));
    }
}
