package dev.isthmus.bench;

import org.openjdk.jmh.results.RunResult;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How each sample model's training step grows with batch size (width 1) and with layer width
 * (batch 64), on each device, and where throughput stops growing. The verdict compares the
 * step's arithmetic rate (GEMM-shaped FLOPs, {@link Workloads#trainingFlops}) with this device's
 * SGEMM rate measured in the same run: near it, the step is compute-bound; far below it with
 * throughput flat, the rest of the step (elementwise work, pooling, copies: memory traffic) is
 * what limits it; still rising at the largest batch, fixed per-step costs (dispatch) dominate.
 */
final class Scaling {
    static final String[] BATCHES = {"8", "16", "32", "64", "128", "256"};
    static final String[] WIDTHS = {"0.5", "1", "2", "4"};

    record Point(double x, double millis, double gflops) {
    }

    record Curve(String model, String device, String axis, List<Point> points, String verdict) {
    }

    private final Bench bench;
    private final List<String> devices;

    Scaling(Bench bench, List<String> devices) {
        this.bench = bench;
        this.devices = devices;
    }

    List<Curve> run() {
        List<Curve> curves = new ArrayList<>();
        for (String device : devices) {
            double peak = gemmPeak(device);
            curves.addAll(curves(device, "batch", Bench.run(bench.options("TrainingStep").param("device", device)
                    .param("batch", BATCHES).param("width", "1")), peak));
            curves.addAll(curves(device, "width", Bench.run(bench.options("TrainingStep").param("device", device)
                    .param("batch", "64").param("width", WIDTHS)), peak));
            if (device.equals("cpu")) {
                curves.addAll(threadCurves(peak));
            }
        }
        return curves;
    }

    /** 1, 2, 4, ... up to every core this JVM sees, and that count itself. */
    static List<Integer> threadCounts(int cores) {
        List<Integer> counts = new ArrayList<>();
        for (int t = 1; t < cores; t *= 2) {
            counts.add(t);
        }
        counts.add(cores);
        return counts;
    }

    /**
     * The CPU backend's training step (batch 64, width 1) on 1, 2, 4, ... threads, each count in a
     * JMH fork of its own ({@code -Disthmus.cpu.threads=N}): the same command on a larger machine
     * gives its own table.
     */
    private List<Curve> threadCurves(double peak) {
        Map<String, TreeMap<Double, Point>> byModel = new TreeMap<>();
        for (int t : threadCounts(Runtime.getRuntime().availableProcessors())) {
            for (RunResult r : Bench.run(bench.options("TrainingStep").param("device", "cpu").param("batch", "64")
                    .param("width", "1").jvmArgsAppend("--add-modules", "jdk.incubator.vector",
                    "--enable-native-access=ALL-UNNAMED", "-Disthmus.cpu.threads=" + t))) {
                String model = r.getParams().getParam("model");
                double ms = r.getPrimaryResult().getScore();
                double gflops = Workloads.trainingFlops(model, 64, 1) / 1e9 / (ms / 1000);
                byModel.computeIfAbsent(model, k -> new TreeMap<>()).put((double) t, new Point(t, ms, gflops));
            }
        }
        List<Curve> curves = new ArrayList<>();
        byModel.forEach((model, points) -> {
            List<Point> list = new ArrayList<>(points.values());
            curves.add(new Curve(model, "cpu", "threads", list, threadVerdict(list)));
        });
        return curves;
    }

    static String threadVerdict(List<Point> points) {
        Point one = points.get(0);
        Point last = points.get(points.size() - 1);
        double speedup = one.millis() / last.millis();
        return String.format(Locale.ROOT, "%.2f× the 1-thread steps/s on %.0f threads (%.0f%% parallel efficiency)",
                speedup, last.x(), 100 * speedup / last.x());
    }

    /** GFLOP/s of a 1024³ SGEMM on {@code device}, measured now. */
    private double gemmPeak(String device) {
        RunResult r = Bench.run(bench.options("Gemm").param("size", "1024")
                .param("config", device.equals("cpu") ? "cpu" : "cuda-fp32")).iterator().next();
        return 2.0 * 1024 * 1024 * 1024 / 1e9 / (r.getPrimaryResult().getScore() / 1000);
    }

    private static List<Curve> curves(String device, String axis, Iterable<RunResult> results, double peak) {
        Map<String, TreeMap<Double, Point>> byModel = new TreeMap<>();
        for (RunResult r : results) {
            String model = r.getParams().getParam("model");
            int batch = Integer.parseInt(r.getParams().getParam("batch"));
            double width = Double.parseDouble(r.getParams().getParam("width"));
            double ms = r.getPrimaryResult().getScore();
            double gflops = Workloads.trainingFlops(model, batch, width) / 1e9 / (ms / 1000);
            double x = axis.equals("batch") ? batch : width;
            byModel.computeIfAbsent(model, k -> new TreeMap<>()).put(x, new Point(x, ms, gflops));
        }
        List<Curve> curves = new ArrayList<>();
        byModel.forEach((model, points) -> {
            List<Point> list = new ArrayList<>(points.values());
            list.sort(Comparator.comparingDouble(Point::x));
            curves.add(new Curve(model, device, axis, list, axis.equals("batch") ? batchVerdict(list, peak)
                    : widthVerdict(list, peak)));
        });
        return curves;
    }

    static String batchVerdict(List<Point> points, double peak) {
        // The knee is where throughput stops growing for good: every later doubling adds < 10%.
        // (A single flat step followed by growth is noise on a busy 2-core machine, not a limit.)
        Integer knee = null;
        for (int i = points.size() - 2; i >= 0; i--) {
            double now = points.get(i).x() / points.get(i).millis();
            double next = points.get(i + 1).x() / points.get(i + 1).millis();
            if (next >= 1.1 * now) {
                break;
            }
            knee = i;
        }
        Point at = points.get(knee == null ? points.size() - 1 : knee);
        double share = at.gflops() / peak;
        String rate = String.format(Locale.ROOT, "%.1f GFLOP/s = %.0f%% of the measured SGEMM rate (%.0f GFLOP/s)",
                at.gflops(), 100 * share, peak);
        if (knee == null) {
            Point last = points.get(points.size() - 1);
            Point prev = points.get(points.size() - 2);
            double gain = (last.x() / last.millis()) / (prev.x() / prev.millis()) - 1;
            return String.format(Locale.ROOT, "still scaling at batch %.0f (+%.0f%% samples/s over %.0f; %s): fixed"
                    + " per-step costs (op dispatch, optimizer, small ops) still dominate", last.x(), 100 * gain, prev.x(), rate);
        }
        if (share >= 0.5) {
            return String.format(Locale.ROOT, "stops scaling at batch %.0f (%s): compute-bound, the cores are busy", at.x(), rate);
        }
        return String.format(Locale.ROOT, "stops scaling at batch %.0f at %s: limited by memory traffic (elementwise, pooling,"
                + " copies), not arithmetic", at.x(), rate);
    }

    static String widthVerdict(List<Point> points, double peak) {
        Point first = points.get(0);
        Point last = points.get(points.size() - 1);
        return String.format(Locale.ROOT, "arithmetic rate %.1f → %.1f GFLOP/s from width %.1f to %.1f (%.0f%% → %.0f%% of"
                        + " the SGEMM rate): %s", first.gflops(), last.gflops(), first.x(), last.x(),
                100 * first.gflops() / peak, 100 * last.gflops() / peak,
                last.gflops() > 1.5 * first.gflops() ? "wider layers amortise the fixed per-step costs"
                        : "the step does not get more efficient with width");
    }

    static String describe(List<Curve> curves) {
        if (curves.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("## Scaling (training step)\n\n| model | device | axis | ms per step | verdict |\n|---|---|---|---|---|\n");
        for (Curve c : curves) {
            StringBuilder ms = new StringBuilder();
            for (Point p : c.points()) {
                ms.append(String.format(Locale.ROOT, "%s%s: %.2f", ms.isEmpty() ? "" : ", ", fmt(p.x()), p.millis()));
            }
            sb.append("| ").append(c.model()).append(" | ").append(c.device()).append(" | ").append(c.axis()).append(" | ")
                    .append(ms).append(" | ").append(c.verdict()).append(" |\n");
        }
        return sb.toString();
    }

    private static String fmt(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }
}
