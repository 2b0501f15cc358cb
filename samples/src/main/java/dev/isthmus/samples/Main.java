package dev.isthmus.samples;

import dev.isthmus.nn.backend.BackendUnavailableException;
import dev.isthmus.nn.backend.Backends;
import dev.isthmus.samples.data.DatasetCache;
import dev.isthmus.samples.data.DatasetUnavailableException;
import dev.isthmus.samples.mlp.MlpTrainer;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The samples' command line: {@code train <model|all>}. */
@Command(name = "isthmus", mixinStandardHelpOptions = true, version = "Isthmus samples 0.1.0",
        description = "Trains the Isthmus sample models on real data and prints their results.",
        subcommands = {Main.Train.class})
public final class Main implements Runnable {
    /** Samples that exist so far; the text, image, recommender and speech trainers arrive with their issues. */
    static final List<String> MODELS = List.of("mlp");

    public static void main(String[] args) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "[%4$s] %5$s%n");
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Trains a sample model (or all of them) and prints its test results.")
    static final class Train implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODEL", description = "One of: ${COMPLETION-CANDIDATES}",
                completionCandidates = ModelNames.class)
        String model;

        @Option(names = "--device", defaultValue = "auto", description = "cpu, cuda, cuda:N or auto (default: ${DEFAULT-VALUE})")
        String device;

        @Option(names = "--epochs", description = "Epochs (default: each sample's own)")
        Integer epochs;

        @Option(names = "--batch-size", description = "Batch size (default: each sample's own)")
        Integer batchSize;

        @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--quick", description = "A few steps each, for smoke tests")
        boolean quick;

        @Option(names = "--cache", description = "Dataset cache folder (default: ~/.cache/isthmus, or ISTHMUS_CACHE)")
        String cache;

        @Override
        public Integer call() {
            List<String> chosen = model.equals("all") ? MODELS : List.of(model);
            if (!model.equals("all") && !MODELS.contains(model)) {
                System.err.println("unknown model '" + model + "'; available now: " + MODELS + " or all");
                return 2;
            }
            try {
                if (!device.equalsIgnoreCase("auto")) {
                    Backends.setDefaultDevice(device);
                }
            } catch (BackendUnavailableException | IllegalArgumentException e) {
                System.err.println("--device " + device + ": " + e.getMessage());
                return 2;
            }
            System.out.println("device: " + Backends.defaultDeviceReason() + " ["
                    + Backends.of(Backends.defaultDevice()).describe() + "]");
            var cacheDir = DatasetCache.resolve(cache).root();
            boolean allMet = true;
            for (String m : chosen) {
                System.out.println("== " + m + " ==");
                try {
                    allMet &= switch (m) {
                        case "mlp" -> new MlpTrainer(System.out, seed, epochs, batchSize, quick).run(cacheDir).targetMet();
                        default -> throw new IllegalStateException(m);
                    };
                } catch (DatasetUnavailableException e) {
                    System.err.println(m + ": " + e.getMessage());
                    return 3;
                }
            }
            return allMet || quick ? 0 : 1;
        }
    }

    static final class ModelNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            List<String> all = new java.util.ArrayList<>(MODELS);
            all.add("all");
            return all.iterator();
        }
    }
}
