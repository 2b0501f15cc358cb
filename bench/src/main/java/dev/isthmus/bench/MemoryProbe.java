package dev.isthmus.bench;

import dev.isthmus.nn.tensor.Device;

/**
 * Isthmus's side of the {@code memory} suite, run by {@link Memory} in a JVM of its own: trains
 * MODEL at BATCH on the CPU for SECONDS ({@code Suites.Trainer}'s step, as the step suite times
 * it) and prints {@link Rss.Sample#line}.
 */
public final class MemoryProbe {
    private MemoryProbe() {
    }

    public static void main(String[] args) {
        String model = args[0];
        int batch = Integer.parseInt(args[1]);
        double seconds = Double.parseDouble(args[2]);
        try (Suites.Trainer t = new Suites.Trainer(model, batch, 1.0, Device.CPU)) {
            System.out.println(Rss.probe(t::step, seconds).line(model + "|" + batch));
        }
    }
}
