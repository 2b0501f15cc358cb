package dev.isthmus.samples.mlp;

import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.model.Fit;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.samples.data.Diabetes;
import dev.isthmus.samples.data.KFold;
import dev.isthmus.samples.data.Standardizer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The MLP sample: (1) the seed program, a 10 → Dense(10, relu) → Dense(1) network fitted to a
 * constant target on random batches; (2) the diabetes regression set, 5-fold cross-validated,
 * beside ordinary least squares on the same folds.
 */
public final class MlpTrainer {
    /** The goal for the diabetes cross-validation (ordinary least squares reaches about 0.49). */
    public static final double TARGET_MEAN_R2 = 0.43;
    static final int DEFAULT_EPOCHS = 30;
    /**
     * The seed program's learning rate. At 0.01 its loss after 1000 steps is still falling and
     * lands either side of the 1e-3 goal by seed (3.3e-3, 8.6e-4, 1.8e-3 at seeds 1-3); at 0.03 it
     * is 1e-4 or less at seeds 1, 2, 3 and 42.
     */
    static final float SEED_LEARNING_RATE = 0.03f;
    static final int QUICK_EPOCHS = 10;

    private final PrintStream out;
    private final long seed;
    private final long foldSeed;
    private final int epochs;
    private final int batchSize;
    private final boolean quick;

    /** {@code seed} draws the networks' weights and batches, {@code foldSeed} the cross-validation folds. */
    public MlpTrainer(PrintStream out, long seed, long foldSeed, Integer epochs, Integer batchSize, boolean quick) {
        this.out = out;
        this.seed = seed;
        this.foldSeed = foldSeed;
        this.epochs = epochs != null ? epochs : quick ? QUICK_EPOCHS : DEFAULT_EPOCHS;
        this.batchSize = batchSize != null ? batchSize : 32;
        this.quick = quick;
    }

    public record SeedResult(float initialLoss, float finalLoss, float prediction) {
    }

    public record FoldResult(int fold, double mse, double r2, double olsMse, double olsR2) {
    }

    public record Result(SeedResult seedProgram, List<FoldResult> folds, double meanR2, double meanOlsR2) {
        public boolean targetMet() {
            return seedProgram.finalLoss < 1e-3f && meanR2 >= TARGET_MEAN_R2;
        }
    }

    public Result run(Path cacheDir) {
        SeedResult s = seedProgram(quick ? 300 : 1000);
        out.printf(Locale.ROOT, "seed program: 10 -> Dense(10, relu) -> Dense(1), Adam(%s), MSE to ones, %d steps%n",
                SEED_LEARNING_RATE, quick ? 300 : 1000);
        out.printf(Locale.ROOT, "  initial loss %.6f, final loss %.3e (goal < 1e-3), prediction %.4f (target 1)%n",
                s.initialLoss(), s.finalLoss(), s.prediction());
        out.println("diabetes: loading (Debian package python3-sklearn) ...");
        Diabetes d = Diabetes.load(cacheDir);
        List<FoldResult> folds = diabetes(d);
        double meanR2 = folds.stream().mapToDouble(FoldResult::r2).average().orElseThrow();
        double meanOls = folds.stream().mapToDouble(FoldResult::olsR2).average().orElseThrow();
        double meanMse = folds.stream().mapToDouble(FoldResult::mse).average().orElseThrow();
        double meanOlsMse = folds.stream().mapToDouble(FoldResult::olsMse).average().orElseThrow();
        out.printf(Locale.ROOT, "  %-5s %12.2f %8.4f %12.2f %8.4f%n", "mean", meanMse, meanR2, meanOlsMse, meanOls);
        Result r = new Result(s, folds, meanR2, meanOls);
        out.printf(Locale.ROOT, "mlp: seed final loss %.2e (goal < 1e-3), diabetes mean R2 %.4f (goal >= %.2f; least squares"
                + " %.4f) -> %s%n", s.finalLoss(), meanR2, TARGET_MEAN_R2, meanOls, r.targetMet() ? "goals met" : "GOALS MISSED");
        return r;
    }

    /** The seed program: 1000 steps on random batches of 10 toward a target of ones. */
    public SeedResult seedProgram(int steps) {
        try (var model = new Sequential(new Dense(10, Activation.RELU), new Dense(1)).seed(seed)) {
            var opt = new Adam(SEED_LEARNING_RATE);
            var loss = Losses.mse();
            float first = 0;
            float last = 0;
            for (int step = 0; step < steps; step++) {
                try (Scope ignored = Scope.open("seed step")) {
                    Tensor x = Tensor.normal(new int[] {10, 10}, 0f, 1f, seed * 7919 + step);
                    Tensor l = loss.compute(Tensor.ones(10, 1), model.forward(x, true));
                    last = l.item();
                    if (step == 0) {
                        first = last;
                    }
                    opt.zeroGrad(model.parameters());
                    l.backward();
                    opt.step(model.parameters());
                }
            }
            try (Scope ignored = Scope.open("seed predict")) {
                float p = model.predict(Tensor.normal(new int[] {1, 10}, 0f, 1f, seed + 1)).item();
                return new SeedResult(first, last, p);
            }
        }
    }

    /** Seeded 5-fold cross-validation of the MLP and of least squares on the same folds. */
    public List<FoldResult> diabetes(Diabetes d) {
        out.printf(Locale.ROOT, "diabetes: %d rows x %d features; 5-fold CV (folds of data seed %d, weights of seed %d),"
                + " Dense(10, relu) -> Dense(1), Adam(0.01), %d epochs, batch %d%n", d.rows(), d.x()[0].length, foldSeed, seed,
                epochs, batchSize);
        out.printf(Locale.ROOT, "  %-5s %12s %8s %12s %8s%n", "fold", "MLP MSE", "MLP R2", "OLS MSE", "OLS R2");
        List<KFold.Fold> folds = KFold.split(d.rows(), 5, foldSeed);
        List<FoldResult> results = new java.util.ArrayList<>();
        for (int f = 0; f < folds.size(); f++) {
            KFold.Fold fold = folds.get(f);
            double[][] xTrain = KFold.rows(d.x(), fold.train());
            double[] yTrain = KFold.rows(d.y(), fold.train());
            double[][] xTest = KFold.rows(d.x(), fold.test());
            double[] yTest = KFold.rows(d.y(), fold.test());

            Standardizer xs = Standardizer.fit(xTrain);
            double yMean = mean(yTrain);
            double yStd = std(yTrain, yMean);
            double[] predicted;
            try (Scope ignored = Scope.open("diabetes fold " + (f + 1));
                 var model = new Sequential(new Dense(10, Activation.RELU), new Dense(1)).seed(seed + f)) {
                model.compile(new Adam(0.01f), Losses.mse());
                model.fit(tensor(xs.transform(xTrain)), column(yTrain, yMean, yStd),
                        Fit.epochs(epochs).batchSize(batchSize).seed(seed + f).verbose(0));
                float[] p = model.predict(tensor(xs.transform(xTest))).toArray();
                predicted = new double[p.length];
                for (int i = 0; i < p.length; i++) {
                    predicted[i] = p[i] * yStd + yMean;
                }
            }
            double[] ols = LeastSquares.fit(xTrain, yTrain).predict(xTest);
            FoldResult r = new FoldResult(f + 1, RegressionMetrics.mse(yTest, predicted), RegressionMetrics.r2(yTest, predicted),
                    RegressionMetrics.mse(yTest, ols), RegressionMetrics.r2(yTest, ols));
            out.printf(Locale.ROOT, "  %-5d %12.2f %8.4f %12.2f %8.4f%n", r.fold(), r.mse(), r.r2(), r.olsMse(), r.olsR2());
            results.add(r);
        }
        return results;
    }

    static Tensor tensor(double[][] rows) {
        int n = rows.length;
        int c = rows[0].length;
        float[] f = new float[n * c];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) {
                f[i * c + j] = (float) rows[i][j];
            }
        }
        return Tensor.of(f, n, c);
    }

    static Tensor column(double[] y, double mean, double std) {
        float[] f = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            f[i] = (float) ((y[i] - mean) / std);
        }
        return Tensor.of(f, y.length, 1);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double std(double[] v, double mean) {
        double s = 0;
        for (double x : v) {
            s += (x - mean) * (x - mean);
        }
        double sd = Math.sqrt(s / v.length);
        return sd == 0 ? 1 : sd;
    }
}
