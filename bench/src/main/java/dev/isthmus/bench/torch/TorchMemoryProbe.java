package dev.isthmus.bench.torch;

import dev.isthmus.bench.Rss;

/**
 * PyTorch's side of the {@code memory} suite: the step reference's {@link TorchTrainer} (same model,
 * weights, batch and Adam settings) trained for SECONDS in a JVM of its own; prints the
 * {@link Rss.Sample#line} the suite parses.
 */
public final class TorchMemoryProbe {
    private TorchMemoryProbe() {
    }

    public static void main(String[] args) {
        String model = args[0];
        int batch = Integer.parseInt(args[1]);
        double seconds = Double.parseDouble(args[2]);
        try (TorchTrainer t = new TorchTrainer(model, batch)) {
            System.out.println(Rss.probe(t::step, seconds).line(model + "|" + batch));
        }
    }
}
