package dev.isthmus.samples.mlp;

import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.metrics.Metric;
import dev.isthmus.nn.metrics.Metrics;
import dev.isthmus.nn.model.Fit;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.samples.Outputs;
import dev.isthmus.samples.Sample;
import dev.isthmus.samples.SampleResult;
import dev.isthmus.samples.TrainOptions;
import dev.isthmus.samples.Training;
import dev.isthmus.samples.data.Diabetes;
import dev.isthmus.samples.data.Standardizer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The MLP sample: the seed program and diabetes 5-fold cross-validation beside least squares
 * ({@link MlpTrainer}), then one model fitted on all 442 rows, saved with its scalers for
 * {@code predict mlp "f1,...,f10"} (raw features as in the dataset: age, sex, bmi, bp, s1..s6).
 */
public final class MlpSample implements Sample {
    private static final String SCALER_FILE = "scaler.json";

    /** Feature and target standardisation of the final model, saved beside it. */
    record Scaler(double[] mean, double[] std, double yMean, double yStd) {
    }

    @Override
    public String name() {
        return "mlp";
    }

    @Override
    public SampleResult train(TrainOptions o) throws Exception {
        long t0 = System.nanoTime();
        var trainer = new MlpTrainer(o.console(), o.seed(), o.dataSeed(), o.epochs(), o.batchSize(), o.quick());
        MlpTrainer.Result r = trainer.run(o.cache());

        Diabetes d = Diabetes.load(o.cache());
        Standardizer xs = Standardizer.fit(d.x());
        double yMean = Arrays.stream(d.y()).average().orElseThrow();
        double yStd = Math.sqrt(Arrays.stream(d.y()).map(v -> (v - yMean) * (v - yMean)).average().orElseThrow());
        Tensor x = MlpTrainer.tensor(xs.transform(d.x()));
        Tensor y = MlpTrainer.column(d.y(), yMean, yStd);
        var trained = Training.fit(o, "mlp (diabetes, all rows)",
                () -> new Sequential(new Dense(10, Activation.RELU), new Dense(1)).seed(o.seed()),
                () -> new Adam(0.01f), Losses.mse(), new Metric[] {Metrics.MAE},
                x, y, Fit.epochs(o.epochsOr(MlpTrainer.DEFAULT_EPOCHS, MlpTrainer.QUICK_EPOCHS))
                        .batchSize(o.batchSizeOr(32)).validationSplit(0.2).seed(o.seed()).verbose(0));
        trained.model().close();
        Outputs.writeJson(o.out().resolve(SCALER_FILE), new Scaler(xs.mean(), xs.std(), yMean, yStd));

        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("seed_final_loss", (double) r.seedProgram().finalLoss());
        metrics.put("diabetes_mean_r2", r.meanR2());
        metrics.put("diabetes_ols_mean_r2", r.meanOlsR2());
        String summary = String.format(Locale.ROOT, "seed loss %.1e (< 1e-3); diabetes 5-fold R2 %.3f (>= %.2f; least squares %.3f)",
                r.seedProgram().finalLoss(), r.meanR2(), MlpTrainer.TARGET_MEAN_R2, r.meanOlsR2());
        return new SampleResult(name(), metrics, r.targetMet(), summary, (System.nanoTime() - t0) / 1e9);
    }

    @Override
    public void predict(TrainOptions o, String input) throws Exception {
        String[] parts = input.split("[,\\s]+");
        if (parts.length != 10) {
            throw new IllegalArgumentException("expected 10 comma-separated features (age, sex, bmi, bp, s1..s6), got "
                    + parts.length + ": \"" + input + "\"");
        }
        double[] row = new double[10];
        for (int i = 0; i < 10; i++) {
            try {
                row[i] = Double.parseDouble(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("feature " + (i + 1) + " is not a number: \"" + parts[i] + "\"");
            }
        }
        Scaler s = Outputs.readJson(o.out().resolve(SCALER_FILE), Scaler.class);
        float[] f = new float[10];
        for (int i = 0; i < 10; i++) {
            f[i] = (float) ((row[i] - s.mean()[i]) / s.std()[i]);
        }
        try (Sequential model = Training.loadTrained(o, name())) {
            double p = model.predict(Tensor.of(f, 1, 10)).item() * s.yStd() + s.yMean();
            o.console().printf(Locale.ROOT, "predicted disease progression one year after baseline: %.1f%n", p);
        }
    }
}
