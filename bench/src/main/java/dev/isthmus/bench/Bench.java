package dev.isthmus.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.isthmus.nn.backend.Backends;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Runs benchmark suites on every device present and reports each figure beside its reference
 * measured in the same run: a markdown table on stdout, {@code results.json}, PNG charts, and
 * (with {@code --results-md}) a fresh {@code bench/RESULTS.md}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs benchmark suites (gemm, conv, lstm, loss, adam, step, scaling, memory, all) on every device present.")
public final class Bench implements Callable<Integer> {
    static final List<String> SUITES = List.of("gemm", "conv", "lstm", "loss", "adam", "step", "scaling", "memory");

    @Parameters(arity = "1..*", paramLabel = "SUITE", description = "gemm, conv, lstm, loss, adam, step, scaling, memory or all")
    List<String> suites;

    @Option(names = "--devices", split = ",", description = "cpu and/or cuda (default: every device present)")
    List<String> devices;

    @Option(names = "--quick", description = "1 warm-up and 2 measured iterations of 0.5 s (default 2 and 3 of 1 s; GEMM keeps 2 s of warm-up, training steps their full 5 s)")
    boolean quick;

    @Option(names = "--out", defaultValue = "bench/results", description = "folder for results.json and charts (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--results-md", description = "also write this file (e.g. bench/RESULTS.md), replacing it")
    Path resultsMarkdown;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        List<String> chosen = suites.contains("all") ? SUITES : suites;
        for (String s : chosen) {
            if (!SUITES.contains(s)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "unknown suite '" + s + "'; expected one of " + SUITES + " or all");
            }
        }
        List<String> present = devicesPresent();
        Files.createDirectories(out);
        List<Row> rows = new ArrayList<>();
        List<Scaling.Curve> curves = new ArrayList<>();
        List<Memory.Result> memory = new ArrayList<>();
        Memory memorySuite = new Memory(quick);
        for (String suite : chosen) {
            if (suite.equals("scaling")) {
                curves.addAll(new Scaling(this, present).run());
            } else if (suite.equals("memory")) {
                if (present.contains("cpu")) {
                    memory.addAll(memorySuite.run());
                }
            } else {
                rows.addAll(runSuite(suite, present));
            }
        }
        References.attach(rows, out, quick);
        String table = Report.table(rows);
        System.out.println(table);
        String scaling = Scaling.describe(curves);
        if (!scaling.isEmpty()) {
            System.out.println(scaling);
        }
        String memoryTable = Memory.describe(memory, memorySuite.seconds());
        if (!memoryTable.isEmpty()) {
            System.out.println(memoryTable);
        }
        // RESULTS.md's sections after the table: scaling verdicts, then the memory table
        String sections = scaling.isEmpty() || memoryTable.isEmpty() ? scaling + memoryTable : scaling + "\n" + memoryTable;
        Report.json(out.resolve("results.json"), rows, curves, memory, command(), present);
        Charts.bars(out.resolve("chart.png"), rows);
        Charts.scaling(out, curves);
        if (resultsMarkdown != null) {
            Report.resultsMarkdown(resultsMarkdown, rows, sections, command(), present);
        }
        System.out.println("bench: wrote " + out.resolve("results.json") + " and charts in " + out);
        return 0;
    }

    String command() {
        return "./isthmus bench " + String.join(" ", suites) + (devices == null ? "" : " --devices " + String.join(",", devices))
                + (quick ? " --quick" : "");
    }

    private List<String> devicesPresent() {
        List<String> wanted = devices == null ? List.of("cpu", "cuda") : devices;
        List<String> present = new ArrayList<>();
        for (String d : wanted) {
            String name = d.toLowerCase(Locale.ROOT);
            if (name.startsWith("cuda")) {
                String missing = Backends.cudaMissing();
                if (missing != null) {
                    System.out.println("bench: no CUDA rows: " + missing);
                    continue;
                }
            }
            present.add(name);
        }
        return present;
    }

    /** One measured figure: milliseconds per operation, with JMH's error, and its reference if any. */
    record Row(String suite, String workload, String shape, String device, double millis, double error,
               double work, String workUnit, Double reference, String referenceName, Double compiledMillis) {
        /** Our rate in workUnit per second (e.g. GFLOP/s), or NaN when the row has no work count. */
        double rate() {
            return work > 0 ? work / (millis / 1000) : Double.NaN;
        }

        /** Our speed relative to the reference: above 1 means faster. */
        Double ratio() {
            if (reference == null) {
                return null;
            }
            return work > 0 ? rate() / reference : reference / millis;
        }

        Row withReference(double value, String name) {
            return new Row(suite, workload, shape, device, millis, error, work, workUnit, value, name, compiledMillis);
        }

        /** No reference figure, and why not (shown in the reference column). */
        Row withoutReference(String why) {
            return new Row(suite, workload, shape, device, millis, error, work, workUnit, null, why, compiledMillis);
        }

        Row withCompiled(double ms) {
            return new Row(suite, workload, shape, device, millis, error, work, workUnit, reference, referenceName, ms);
        }

        String key() {
            return suite + "|" + workload + "|" + shape;
        }
    }

    ChainedOptionsBuilder options(String benchmarkClass) {
        Path log = out.resolve("jmh-" + benchmarkClass + ".log");
        System.out.println("bench: running " + benchmarkClass + " (JMH log: " + log + ")");
        ChainedOptionsBuilder o = new OptionsBuilder().include("OpSuites[.$]" + benchmarkClass + "[.]")
                .forks(1).shouldFailOnError(true).output(log.toString());
        if (quick) {
            // whole training steps keep their full warm-up (5 s) even in a quick run: on a 2-core AMD
            // Zen 4 the text model's step at batch 64 was still 6-9 ms after 3 s, against 3.6 ms after
            // 10 s (C2 still compiling its kernels): that measured the JIT, not the step (the first
            // epoch is its own figure, README "CPU speed beside PyTorch"); the SGEMM kernel needs 2 s
            // (0.5 s measured 0.61x numpy at 512^3 where 2 s gave 0.81x, same machine)
            boolean steps = benchmarkClass.equals("TrainingStep");
            boolean gemm = benchmarkClass.equals("Gemm") || benchmarkClass.equals("ModelGemm");
            o.warmupIterations(steps ? 5 : gemm ? 2 : 1).warmupTime(TimeValue.milliseconds(steps || gemm ? 1000 : 500))
                    .measurementIterations(2).measurementTime(TimeValue.milliseconds(500));
        }
        return o;
    }

    static Collection<RunResult> run(ChainedOptionsBuilder o) {
        try {
            return new Runner(o.build()).run();
        } catch (RunnerException e) {
            throw new IllegalStateException("JMH failed: " + e.getMessage(), e);
        }
    }

    private List<Row> runSuite(String suite, List<String> present) {
        List<Row> rows = new ArrayList<>();
        switch (suite) {
            case "gemm" -> {
                List<String> configs = new ArrayList<>();
                for (String d : present) {
                    configs.addAll(d.equals("cpu") ? List.of("cpu") : List.of("cuda-fp32", "cuda-tf32", "cuda-bf16"));
                }
                int[] sizes = present.contains("cuda") ? new int[] {1024, 2048, 4096, 8192} : new int[] {512, 1024, 2048};
                for (RunResult r : run(options("Gemm").param("config", configs.toArray(String[]::new))
                        .param("size", ints(sizes)))) {
                    int size = Integer.parseInt(r.getParams().getParam("size"));
                    String config = r.getParams().getParam("config");
                    rows.add(new Row("gemm", "sgemm " + config.replace("cpu", "fp32").replace("cuda-", ""),
                            size + "x" + size + "x" + size, config.startsWith("cuda") ? "cuda" : "cpu",
                            r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError(),
                            2.0 * size * size * size / 1e9, "GFLOP", null, null, null));
                }
                for (RunResult r : run(options("ModelGemm").param("device", arr(present)))) {
                    String shape = r.getParams().getParam("shape");
                    rows.add(new Row("model-gemm", "sgemm fp32 " + shape, OpSuites.ModelGemm.label(shape),
                            r.getParams().getParam("device"), r.getPrimaryResult().getScore(),
                            r.getPrimaryResult().getScoreError(), OpSuites.ModelGemm.gflop(shape), "GFLOP", null, null,
                            null));
                }
            }
            case "conv" -> collect(rows, "conv", run(options("Conv").param("device", arr(present))),
                    r -> "conv2d " + r.getParams().getParam("pass"), r -> switch (r.getParams().getParam("shape")) {
                        case "image" -> "64x28x28x1 -> 32 3x3";
                        case "resnet" -> "8x56x56x64 -> 64 3x3 same";
                        default -> "32x49x12x16 -> 32 3x3";
                    });
            case "lstm" -> collect(rows, "lstm", run(options("Lstm").param("device", arr(present))),
                    r -> "lstm " + r.getParams().getParam("pass"), r -> switch (r.getParams().getParam("shape")) {
                        case "text" -> "32x20x32 -> 64";
                        case "recommend" -> "256x10x64 -> 64";
                        default -> "32x101x27 -> 64";
                    });
            case "loss" -> collect(rows, "loss", run(options("SoftmaxCrossEntropy").param("device", arr(present))),
                    r -> "softmax cross-entropy fwd+bwd", r -> r.getParams().getParam("shape").equals("image") ? "64x10" : "256x9000");
            case "adam" -> collect(rows, "adam", run(options("AdamUpdate").param("device", arr(present))),
                    r -> "adam step", r -> r.getParams().getParam("model") + " model parameters");
            case "step" -> collect(rows, "step", run(options("TrainingStep").param("device", arr(present))
                            .param("batch", "32", "64", "256").param("width", "1")),
                    r -> "train step " + r.getParams().getParam("model"), r -> "batch " + r.getParams().getParam("batch"));
            default -> throw new IllegalArgumentException(suite);
        }
        return rows;
    }

    private static String[] arr(List<String> values) {
        return values.toArray(String[]::new);
    }

    private static String[] ints(int[] values) {
        String[] s = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            s[i] = Integer.toString(values[i]);
        }
        return s;
    }

    private interface Label {
        String of(RunResult r);
    }

    private static void collect(List<Row> rows, String suite, Collection<RunResult> results, Label workload, Label shape) {
        for (RunResult r : results) {
            String device = r.getParams().getParam("device");
            // sampled suites (each call timed) report the median, the figure their references give
            boolean sampled = r.getParams().getMode() == org.openjdk.jmh.annotations.Mode.SampleTime;
            double score = sampled ? r.getPrimaryResult().getStatistics().getPercentile(50) : r.getPrimaryResult().getScore();
            rows.add(new Row(suite, workload.of(r), shape.of(r), device, score,
                    r.getPrimaryResult().getScoreError(), 0, null, null, null, null));
        }
    }

    static Map<String, Object> machine(List<String> devices) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", LocalDate.now().toString());
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("cpu", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores visible");
        m.put("devices", devices);
        if (devices.contains("cpu")) {
            m.put("cpu backend", Backends.of(dev.isthmus.nn.tensor.Device.CPU).describe());
        }
        if (devices.contains("cuda")) {
            m.put("cuda", Backends.of(dev.isthmus.nn.tensor.Device.cuda(0)).describe());
        }
        return m;
    }

    private static String cpuModel() {
        Path info = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(info)) {
            return System.getProperty("os.arch");
        }
        try {
            return cpuModel(Files.readAllLines(info));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The first processor's model name, family, model and widest vector extension from
     * /proc/cpuinfo lines ("AMD EPYC (family 25 model 1, AVX2)"): on a VM the model name alone is
     * often generic, and the kernels differ by vector width.
     */
    static String cpuModel(List<String> cpuinfo) {
        String name = null;
        String family = null;
        String model = null;
        String flags = "";
        for (String line : cpuinfo) {
            if (line.isBlank() && name != null) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "model name" -> name = value;
                case "cpu family" -> family = value;
                case "model" -> model = value;
                case "flags" -> flags = " " + value + " ";
                default -> { }
            }
        }
        if (name == null) {
            return System.getProperty("os.arch");
        }
        String vectors = flags.contains(" avx512f ") ? "AVX-512" : flags.contains(" avx2 ") ? "AVX2"
                : flags.contains(" avx ") ? "AVX" : null;
        StringBuilder details = new StringBuilder();
        if (family != null && model != null) {
            details.append("family ").append(family).append(" model ").append(model);
        }
        if (vectors != null) {
            details.append(details.isEmpty() ? "" : ", ").append(vectors);
        }
        return details.isEmpty() ? name : name + " (" + details + ")";
    }

    static void writeJson(Path file, JsonWriter body) {
        try (JsonGenerator json = new JsonFactory().createGenerator(file.toFile(), JsonEncoding.UTF8).useDefaultPrettyPrinter()) {
            body.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }

    interface JsonWriter {
        void write(JsonGenerator json) throws IOException;
    }
}
