package dev.isthmus.samples;

import dev.isthmus.nn.backend.BackendUnavailableException;
import dev.isthmus.nn.backend.Backends;
import dev.isthmus.samples.data.DatasetCache;
import dev.isthmus.samples.data.DatasetUnavailableException;
import dev.isthmus.samples.image.ImageSample;
import dev.isthmus.samples.mlp.MlpSample;
import dev.isthmus.samples.recommend.RecommendSample;
import dev.isthmus.samples.speech.SpeechSample;
import dev.isthmus.samples.gpt.GptSample;
import dev.isthmus.samples.text.TextSample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The samples' command line: {@code train <model|all>}, {@code predict <model> <input>} and {@code export <model>}. */
@Command(name = "isthmus", mixinStandardHelpOptions = true, version = "Isthmus samples 0.1.0",
        description = "Trains the Isthmus sample models on real data and predicts with them.",
        subcommands = {Main.Train.class, Main.Predict.class, Main.Export.class, Main.Explain.class})
public final class Main implements Runnable {
    static final Map<String, Sample> SAMPLES = new LinkedHashMap<>();

    static {
        for (Sample s : List.of(new MlpSample(), new TextSample(), new ImageSample(), new RecommendSample(), new SpeechSample(),
                new GptSample())) {
            SAMPLES.put(s.name(), s);
        }
    }

    public static void main(String[] args) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "[%4$s] %5$s%n");
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Options common to train and predict. */
    static final class Common {
        @Option(names = "--device", defaultValue = "auto", description = "cpu, cuda, cuda:N or auto (default: ${DEFAULT-VALUE})")
        String device;

        @Option(names = "--seed", defaultValue = "42",
                description = "Seed of the model's weights, shuffling and dropout (default: ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--data-seed", defaultValue = "42",
                description = "Seed of the held-out splits and synthesised data (default: ${DEFAULT-VALUE})")
        long dataSeed;

        @Option(names = "--out", defaultValue = "out", description = "Output folder; each sample writes into out/<sample> (default: ${DEFAULT-VALUE})")
        Path out;

        @Option(names = "--cache", description = "Dataset cache folder (default: ~/.cache/isthmus, or ISTHMUS_CACHE)")
        String cache;

        @Option(names = "--epochs", description = "Epochs (default: each sample's own)")
        Integer epochs;

        @Option(names = "--batch-size", description = "Batch size (default: each sample's own)")
        Integer batchSize;

        @Option(names = "--quick", description = "A few steps each on small slices, for smoke tests and CI")
        boolean quick;

        @Option(names = "--resume", description = "Continue from the last checkpoint in the output folder")
        boolean resume;

        @Option(names = "--size", defaultValue = "1",
                description = "Scale of the gpt sample: width 64·N, 2·N blocks, 4·N heads (default: ${DEFAULT-VALUE}; more for a GPU)")
        int size;

        TrainOptions options() {
            if (!device.equalsIgnoreCase("auto")) {
                Backends.setDefaultDevice(device);
            }
            if (epochs != null && epochs < 1 || batchSize != null && batchSize < 1 || size < 1) {
                throw new CommandLine.ParameterException(new CommandLine(new Main()),
                        "--epochs, --batch-size and --size must be at least 1");
            }
            return new TrainOptions(System.out, DatasetCache.resolve(cache).root(), out, seed, dataSeed, epochs, batchSize, quick,
                    resume, size);
        }
    }

    /** A command's work. */
    interface Body {
        void run() throws Exception;
    }

    /**
     * Runs a command's body: exit code 0, or for a mistake of the user's (a typed exception whose
     * message says what to do) the message as "what: message" on stderr and exit code 2.
     */
    static int userErrors(String what, Body body) throws Exception {
        try {
            body.run();
            return 0;
        } catch (IllegalStateException | IllegalArgumentException | dev.isthmus.nn.data.DataFormatException e) {
            System.err.println(what + ": " + e.getMessage());
            return 2;
        }
    }

    static Sample sample(String name) {
        Sample s = SAMPLES.get(name.toLowerCase(Locale.ROOT));
        if (s == null) {
            throw new IllegalArgumentException("unknown sample '" + name + "'; choose one of " + SAMPLES.keySet());
        }
        return s;
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Trains a sample model (or all of them), prints its test results and writes model, curve and metrics.")
    static final class Train implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODEL", description = "mlp, text, image, recommend, speech or all")
        String model;

        @Mixin
        Common common;

        @Override
        public Integer call() throws Exception {
            List<Sample> chosen = model.equalsIgnoreCase("all") ? List.copyOf(SAMPLES.values()) : List.of(sample(model));
            TrainOptions o;
            try {
                o = common.options();
            } catch (BackendUnavailableException | IllegalArgumentException e) {
                System.err.println("--device " + common.device + ": " + e.getMessage());
                return 2;
            }
            System.out.println("device: " + Backends.defaultDeviceReason() + " [" + Backends.of(Backends.defaultDevice()).describe() + "]");
            List<SampleResult> results = new ArrayList<>();
            long t0 = System.nanoTime();
            for (Sample s : chosen) {
                System.out.println();
                System.out.println("== " + s.name() + (o.quick() ? " (quick)" : "") + " ==");
                try {
                    SampleResult r = s.train(o.forSample(s.name()));
                    results.add(r);
                    Outputs.writeJson(o.out().resolve(s.name()).resolve(Training.METRICS_FILE), r);
                } catch (DatasetUnavailableException e) {
                    System.err.println(s.name() + ": " + e.getMessage());
                    return 3;
                }
            }
            System.out.println();
            System.out.println("== summary ==");
            for (SampleResult r : results) {
                System.out.printf(Locale.ROOT, "%-10s %s [%s, %.0f s]%n", r.sample(), r.summary(),
                        r.targetsMet() ? "targets met" : o.quick() ? "quick run: targets not checked" : "TARGETS MISSED", r.seconds());
            }
            System.out.printf(Locale.ROOT, "total %.0f s; outputs in %s%n", (System.nanoTime() - t0) / 1e9, o.out().toAbsolutePath());
            boolean ok = o.quick() || results.stream().allMatch(SampleResult::targetsMet);
            return ok ? 0 : 1;
        }
    }

    @Command(name = "predict", mixinStandardHelpOptions = true,
            description = "Predicts with a trained sample model: text \"a sentence\", image FILE, recommend USER_ID, speech FILE.wav, mlp \"10 comma-separated features\".")
    static final class Predict implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODEL", description = "mlp, text, image, recommend or speech")
        String model;

        @Parameters(index = "1", paramLabel = "INPUT", description = "What to predict from")
        String input;

        @Mixin
        Common common;

        @Override
        public Integer call() throws Exception {
            Sample s = sample(model);
            return userErrors("predict " + s.name(), () -> s.predict(common.options().forSample(s.name()), input));
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Writes a trained sample model (out/<sample>/model.safetensors) as out/<sample>/model.onnx, "
                    + "for ONNX Runtime and other ONNX tools.")
    static final class Export implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODEL", description = "mlp, text, image, recommend, speech or gpt")
        String model;

        @Option(names = "--format", defaultValue = "onnx", description = "onnx (the only format so far; default: ${DEFAULT-VALUE})")
        String format;

        @Mixin
        Common common;

        @Override
        public Integer call() throws Exception {
            Sample s = sample(model);
            return userErrors("export " + s.name(), () -> {
                if (!format.equalsIgnoreCase("onnx")) {
                    throw new IllegalArgumentException("unknown format '" + format + "'; the one format is onnx");
                }
                TrainOptions o = common.options().forSample(s.name());
                Path onnx = o.out().resolve("model.onnx");
                try (dev.isthmus.nn.model.Model m = Training.loadTrainedModel(o, s.name())) {
                    dev.isthmus.nn.io.Onnx.export(m, onnx);
                }
                System.out.println("wrote " + onnx + " (ONNX opset " + dev.isthmus.nn.io.Onnx.OPSET + ", input 'input' "
                        + "with a dynamic batch axis, output 'output')");
            });
        }
    }

    @Command(name = "explain", mixinStandardHelpOptions = true,
            description = "Attributes a trained model's prediction to its input (integrated gradients): image FILE writes "
                    + "out/image/explain.png; text \"a sentence\" prints each word's attribution.")
    static final class Explain implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODEL", description = "image or text")
        String model;

        @Parameters(index = "1", paramLabel = "INPUT", description = "An image file, or a sentence")
        String input;

        @Mixin
        Common common;

        @Override
        public Integer call() throws Exception {
            return userErrors("explain " + model, () -> {
                switch (model.toLowerCase(Locale.ROOT)) {
                    case "image" -> Explanations.image(common.options().forSample("image"), Path.of(input));
                    case "text" -> Explanations.text(common.options().forSample("text"), input,
                            System.console() != null && System.getenv("NO_COLOR") == null);
                    default -> throw new IllegalArgumentException("explain works for image and text, not '" + model + "'");
                }
            });
        }
    }
}
