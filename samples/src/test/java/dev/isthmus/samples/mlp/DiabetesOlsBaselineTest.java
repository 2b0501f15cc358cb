package dev.isthmus.samples.mlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.samples.data.DatasetCache;
import dev.isthmus.samples.data.DatasetUnavailableException;
import dev.isthmus.samples.data.Diabetes;
import dev.isthmus.samples.data.KFold;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs on the real diabetes data when it is already in the dataset cache (tests never fetch:
 * {@code ./isthmus train mlp} fills the cache); otherwise skipped, with the reason shown.
 */
class DiabetesOlsBaselineTest {

    private static Diabetes data;
    private static String unavailable;

    private static synchronized Diabetes diabetes() {
        if (data == null && unavailable == null) {
            Path cache = DatasetCache.resolve(null).root();
            if (!Diabetes.isCached(cache)) {
                unavailable = "diabetes dataset is not in the cache " + cache + " (run ./isthmus train mlp once to fetch it)";
            } else {
                try {
                    data = Diabetes.load(cache);
                } catch (DatasetUnavailableException | UncheckedIOException e) {
                    unavailable = "diabetes dataset in " + cache + " is unreadable: " + e.getMessage();
                }
            }
        }
        Assumptions.assumeTrue(data != null, () -> unavailable);
        return data;
    }

    @Test
    void realDiabetesDataHas442RowsOf10FiniteFeatures() {
        Diabetes d = diabetes();
        assertEquals(442, d.x().length);
        assertEquals(442, d.y().length);
        for (double[] row : d.x()) {
            assertEquals(10, row.length);
        }
        // First row of the raw file: age 59, sex 2, bmi 32.1, ..., target 151.
        assertEquals(59.0, d.x()[0][0]);
        assertEquals(2.0, d.x()[0][1]);
        assertEquals(151.0, d.y()[0]);
    }

    @Test
    void fiveFoldOlsMeanR2IsAboutPointFortyEightWithSeed42() {
        Diabetes d = diabetes();
        List<KFold.Fold> folds = KFold.split(d.rows(), 5, 42);
        double sum = 0;
        for (KFold.Fold f : folds) {
            LeastSquares m = LeastSquares.fit(KFold.rows(d.x(), f.train()), KFold.rows(d.y(), f.train()));
            assertEquals(0.0, m.ridge(), "diabetes features are full rank");
            sum += RegressionMetrics.r2(KFold.rows(d.y(), f.test()), m.predict(KFold.rows(d.x(), f.test())));
        }
        double mean = sum / folds.size();
        assertTrue(mean > 0.40 && mean < 0.55, "mean 5-fold R² = " + mean);
    }

    @Test
    void fullDataOlsMatchesTheKnownInSampleR2() {
        Diabetes d = diabetes();
        LeastSquares m = LeastSquares.fit(d.x(), d.y());
        // scikit-learn's LinearRegression on the same data: R² = 0.5177.
        assertEquals(0.5177, RegressionMetrics.r2(d.y(), m.predict(d.x())), 1e-4);
    }
}
