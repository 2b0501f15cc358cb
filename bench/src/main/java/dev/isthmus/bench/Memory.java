package dev.isthmus.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The {@code memory} suite: peak resident memory of each sample model's CPU training, Isthmus
 * beside PyTorch CPU, and whether either grows while it trains. Each side trains the step suite's
 * workload (same model, weights, batch, Adam settings) in a fresh JVM of its own for a fixed time
 * ({@link MemoryProbe}, {@code torch.TorchMemoryProbe}), so that each peak is that process's
 * alone. Ours runs with {@link #SAMPLE_FLAGS}, as {@code ./isthmus} runs the samples; both sides get
 * glibc's default malloc (the step suite's {@code GLIBC_TUNABLES} keep freed memory in the
 * process, which would inflate PyTorch's figure), and PyTorch as many threads as our backend.
 */
final class Memory {
    static final int BATCH = 64;
    /** The collector flags {@code ./isthmus} runs the samples with (the launcher's last case; MemoryTest compares). */
    static final List<String> SAMPLE_FLAGS = List.of("-XX:+UseSerialGC", "-Xmn48m");

    /** One model's figures; a side that could not run has a null sample and says why. */
    record Result(String model, int batch, Rss.Sample ours, Rss.Sample torch, String why) {
        /** PyTorch's peak over ours: above 1, Isthmus's training needs less memory. */
        double ratio() {
            return ours == null || torch == null ? Double.NaN : (double) torch.peakKb() / ours.peakKb();
        }
    }

    private final double seconds;

    Memory(boolean quick) {
        this.seconds = quick ? 10 : 30;
    }

    List<Result> run() throws IOException, InterruptedException {
        List<Result> results = new ArrayList<>();
        if (!Rss.available()) {
            for (String model : Workloads.STEP_MODELS) {
                results.add(new Result(model, BATCH, null, null, "not measured: no " + Rss.STATUS + " (Linux only)"));
            }
            return results;
        }
        List<String> args = List.of(Integer.toString(BATCH), Double.toString(seconds));
        for (String model : Workloads.STEP_MODELS) {
            List<String> why = new ArrayList<>();
            List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                    "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
            command.addAll(SAMPLE_FLAGS);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.isthmus.bench.MemoryProbe", model));
            command.addAll(args);
            Rss.Sample ours = sample(why, "Isthmus", command);
            Rss.Sample torch = null;
            if (!Files.exists(References.TORCH_CLASSPATH)) {
                why.add("PyTorch not measured: no " + References.TORCH_CLASSPATH + " (built by Maven with bench)");
            } else {
                List<String> reference = References.torchJvm("dev.isthmus.bench.torch.TorchMemoryProbe");
                reference.add(model);
                reference.addAll(args);
                torch = sample(why, "PyTorch", reference);
            }
            Result r = new Result(model, BATCH, ours, torch, String.join("; ", why));
            System.out.println("bench: memory " + row(r));
            results.add(r);
        }
        return results;
    }

    /** Runs one probe and parses its line; null (and the reason added to why) if it failed. */
    private static Rss.Sample sample(List<String> why, String side, List<String> command)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("GLIBC_TUNABLES");
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            why.add(side + " probe failed: " + tail(text));
            return null;
        }
        Rss.Sample s = parse(text);
        if (s == null) {
            why.add(side + " probe printed no rss line: " + tail(text));
        }
        return s;
    }

    /** The sample in a probe's output (its {@code rss|MODEL|BATCH|PEAK|HALF|END|STEPS} line), or null. */
    static Rss.Sample parse(String output) {
        for (String line : output.lines().toList()) {
            String[] p = line.split("\\|");
            if (p.length == 7 && p[0].equals("rss")) {
                return new Rss.Sample(Long.parseLong(p[3]), Long.parseLong(p[4]), Long.parseLong(p[5]), Long.parseLong(p[6]));
            }
        }
        return null;
    }

    private static String tail(String text) {
        String t = text.strip().replace('\n', ' ');
        return t.length() > 300 ? "…" + t.substring(t.length() - 300) : t;
    }

    private static String mb(Rss.Sample s) {
        return s == null ? "—" : String.format(Locale.ROOT, "%.0f MB", s.peakKb() / 1024.0);
    }

    private static String growth(Rss.Sample s) {
        return s == null ? "—" : String.format(Locale.ROOT, "%+.1f MB", s.growthKb() / 1024.0);
    }

    private static String row(Result r) {
        String ratio = Double.isNaN(r.ratio()) ? "—" : String.format(Locale.ROOT, "%.2f×", r.ratio());
        return "| " + r.model() + " | " + r.batch() + " | " + mb(r.ours()) + " | " + mb(r.torch()) + " | " + ratio + " | "
                + growth(r.ours()) + " / " + growth(r.torch()) + " | " + (r.ours() == null ? "—" : r.ours().steps()) + " / "
                + (r.torch() == null ? "—" : r.torch().steps()) + " |" + (r.why().isEmpty() ? "" : " " + r.why());
    }

    /** The markdown section: a row per model and the goal's verdict; empty if the suite did not run. */
    static String describe(List<Result> results, double seconds) {
        if (results.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "## Memory (CPU training, %.0f s a side, each in a"
                + " fresh JVM; peak = VmHWM)%n%n", seconds));
        sb.append("| model | batch | Isthmus peak RSS | PyTorch CPU peak RSS | PyTorch ÷ ours | resident growth over the"
                + " second half (ours / PyTorch) | steps (ours / PyTorch) |\n|---|---|---|---|---|---|---|\n");
        double worst = Double.NaN;
        int measured = 0;
        for (Result r : results) {
            sb.append(row(r)).append('\n');
            if (!Double.isNaN(r.ratio())) {
                worst = measured++ == 0 ? r.ratio() : Math.min(worst, r.ratio());
            }
        }
        sb.append('\n').append(measured == 0 ? "Goal (peak RSS no higher than PyTorch's): not measured in this run\n"
                : String.format(Locale.ROOT, "Goal (peak RSS no higher than PyTorch's, ≥ 1.0×): %s (worst %.2f× over %d"
                + " models)%n", worst >= 1.0 ? "met" : "missed", worst, measured));
        return sb.toString();
    }

    double seconds() {
        return seconds;
    }
}
