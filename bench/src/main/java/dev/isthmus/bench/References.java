package dev.isthmus.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Reference figures measured right after ours, in the same run: numpy's matmul for CPU GEMM
 * (bench/numpy_gemm.py), and on a GPU machine the same workloads in PyTorch eager and
 * {@code torch.compile} (bench/torch_suite.py). Rows without a reference stay without one.
 */
final class References {
    private References() {
    }

    /**
     * glibc's malloc handing memory back to the kernel after every step makes libtorch's step time
     * swing 2–3× from run to run on these VMs; these thresholds keep it in the process.
     */
    static final String MALLOC_TUNABLES = "glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=1073741824";

    static void attach(List<Bench.Row> rows, Path out, boolean quick) throws IOException, InterruptedException {
        Set<Integer> cpuGemm = new LinkedHashSet<>();
        Set<String> cpuShapes = new LinkedHashSet<>();
        boolean cuda = false;
        boolean cpuSteps = false;
        for (Bench.Row r : rows) {
            if (r.suite().equals("gemm") && r.device().equals("cpu")) {
                cpuGemm.add(Integer.parseInt(r.shape().substring(0, r.shape().indexOf('x'))));
            }
            if (r.suite().equals("model-gemm") && r.device().equals("cpu")) {
                cpuShapes.add(modelShape(r));
            }
            cuda |= r.device().equals("cuda");
            cpuSteps |= isCpuStep(r);
        }
        if (!cpuGemm.isEmpty() || !cpuShapes.isEmpty()) {
            numpy(rows, cpuGemm, cpuShapes);
        }
        if (cpuSteps) {
            torchCpu(rows, out, quick);
        }
        if (cuda) {
            torch(rows, out);
        }
    }

    /** The ModelGemm shape name of a model-gemm row ("sgemm fp32 NAME"). */
    private static String modelShape(Bench.Row r) {
        return r.workload().substring(r.workload().lastIndexOf(' ') + 1);
    }

    private static void numpy(List<Bench.Row> rows, Set<Integer> sizes, Set<String> shapes)
            throws IOException, InterruptedException {
        List<String> sizeList = sizes.stream().map(String::valueOf).toList();
        List<String> shapeList = new ArrayList<>();
        for (String shape : shapes) {
            int[] d = OpSuites.ModelGemm.dims(shape);
            shapeList.add(shape + ":" + d[0] + ":" + d[1] + ":" + d[2] + ":" + d[3] + ":" + d[4]);
        }
        ProcessBuilder pb = new ProcessBuilder("python3", "bench/numpy_gemm.py", "--sizes", String.join(",", sizeList),
                "--shapes", String.join(",", shapeList), "--warmup", "1", "--iterations", "3", "--time", "1");
        pb.environment().putIfAbsent("OPENBLAS_NUM_THREADS", Integer.toString(Runtime.getRuntime().availableProcessors()));
        List<String> lines = output(pb);
        if (lines == null) {
            System.out.println("bench: numpy reference not measured (python3 with numpy did not run)");
            return;
        }
        String name = lines.stream().filter(l -> l.startsWith("# ")).findFirst().map(l -> l.substring(2)).orElse("numpy");
        Map<String, Double> gflops = new HashMap<>();
        for (String l : lines) {
            String[] p = l.split(",");
            if (p.length == 2 && !l.startsWith("#")) {
                gflops.put(p[0].trim(), Double.parseDouble(p[1].trim()));
            }
        }
        rows.replaceAll(r -> {
            Double g = null;
            if (r.suite().equals("gemm") && r.device().equals("cpu")) {
                g = gflops.get(r.shape().substring(0, r.shape().indexOf('x')));
            } else if (r.suite().equals("model-gemm") && r.device().equals("cpu")) {
                g = gflops.get(modelShape(r));
            }
            return g == null ? r : r.withReference(g, name);
        });
    }

    private static boolean isCpuStep(Bench.Row r) {
        return r.suite().equals("step") && r.device().equals("cpu");
    }

    /** The classpath of DJL and libtorch, written by Maven when bench is packaged (they are not in benchmarks.jar). */
    static final Path TORCH_CLASSPATH = Path.of("bench/target/torch-classpath.txt");

    /**
     * The command line (to which arguments are added) that runs {@code mainClass} of the PyTorch CPU
     * reference in a JVM of its own: this JVM's class path plus {@link #TORCH_CLASSPATH}, nothing
     * downloaded, as many PyTorch threads as our CPU backend uses (its default, or
     * ISTHMUS_CPU_THREADS, which JMH's forks inherit) and one for the Isthmus code it loads.
     */
    static List<String> torchJvm(String mainClass) throws IOException {
        String ours = System.getenv("ISTHMUS_CPU_THREADS");
        int threads = ours == null || ours.isBlank() ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(ours.trim());
        return new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=" + threads, "-Disthmus.cpu.threads=1",
                "-cp", System.getProperty("java.class.path") + java.io.File.pathSeparator + Files.readString(TORCH_CLASSPATH).trim(),
                mainClass));
    }

    /**
     * PyTorch CPU through DJL ({@code dev.isthmus.bench.torch.TorchStepReference}) in a JVM of its
     * own, with DJL and libtorch from the classpath Maven wrote at package time (not in
     * benchmarks.jar) and nothing downloaded. A row it could not measure says why.
     */
    private static void torchCpu(List<Bench.Row> rows, Path out, boolean quick) throws IOException, InterruptedException {
        Path classpath = TORCH_CLASSPATH;
        Map<String, Double> ms = new HashMap<>();
        Map<String, String> skipped = new HashMap<>();
        String name = "PyTorch CPU";
        String missing = null;
        if (!Files.exists(classpath)) {
            missing = "PyTorch CPU not measured: no " + classpath + " (built by Maven with bench)";
        } else {
            Path wanted = out.resolve("torch-cpu-workloads.txt");
            Files.write(wanted, rows.stream().filter(References::isCpuStep).map(Bench.Row::key).toList());
            List<String> command = torchJvm("dev.isthmus.bench.torch.TorchStepReference");
            command.add(wanted.toString());
            if (quick) {
                command.add("--quick");
            }
            ProcessBuilder pb = new ProcessBuilder(command);
            String tunables = System.getenv("GLIBC_TUNABLES");
            String source = tunables == null ? "set by bench" : "from the environment";
            if (tunables == null) {
                tunables = MALLOC_TUNABLES;
                pb.environment().put("GLIBC_TUNABLES", tunables);
            }
            System.out.println("bench: PyTorch CPU reference in its own JVM, GLIBC_TUNABLES=" + tunables + " (" + source + ")");
            List<String> lines = output(pb);
            if (lines == null) {
                missing = "PyTorch CPU not measured: the DJL reference did not run (see above)";
            } else {
                for (String l : lines) {
                    String[] p = l.split("\\|");
                    if (l.startsWith("# ")) {
                        name = l.substring(2);
                        System.out.println("bench: reference " + name);
                    } else if (p.length == 7 && p[0].equals("ms")) {
                        String key = p[1] + "|" + p[2] + "|" + p[3];
                        ms.put(key, Double.parseDouble(p[4]));
                        System.out.println("bench: " + key + ": parameters ours " + p[5] + ", PyTorch " + p[6]);
                    } else if (p.length >= 5 && p[0].equals("skip")) {
                        skipped.put(p[1] + "|" + p[2] + "|" + p[3], "PyTorch CPU not measured: " + p[4]);
                    }
                }
            }
        }
        String reference = name;
        String absent = missing;
        rows.replaceAll(r -> {
            if (!isCpuStep(r)) {
                return r;
            }
            Double m = ms.get(r.key());
            if (m != null) {
                return r.withReference(m, reference);
            }
            return r.withoutReference(absent != null ? absent : skipped.getOrDefault(r.key(), "PyTorch CPU not measured"));
        });
    }

    private static void torch(List<Bench.Row> rows, Path out) throws IOException, InterruptedException {
        Path wanted = out.resolve("torch-workloads.txt");
        List<String> keys = new ArrayList<>();
        for (Bench.Row r : rows) {
            if (r.device().equals("cuda")) {
                keys.add(r.key());
            }
        }
        Files.write(wanted, keys);
        Path result = out.resolve("torch-results.json");
        List<String> lines = output(new ProcessBuilder("python3", "bench/torch_suite.py", wanted.toString(), result.toString()));
        if (lines == null || !Files.exists(result)) {
            System.out.println("bench: PyTorch references not measured (python3 with torch and CUDA did not run)");
            return;
        }
        Map<String, Double> eager = new HashMap<>();
        Map<String, Double> compiled = new HashMap<>();
        String version = "PyTorch eager";
        try (JsonParser p = new JsonFactory().createParser(result.toFile())) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("torch")) {
                    version = "PyTorch " + p.getText() + " eager";
                } else if (field.equals("eager_ms") || field.equals("compiled_ms")) {
                    Map<String, Double> target = field.equals("eager_ms") ? eager : compiled;
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String key = p.currentName();
                        p.nextToken();
                        target.put(key, p.getDoubleValue());
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
        String name = version;
        rows.replaceAll(r -> {
            if (!r.device().equals("cuda")) {
                return r;
            }
            Bench.Row x = r;
            Double ms = eager.get(r.key());
            if (ms != null) {
                x = x.withReference(r.work() > 0 ? r.work() / (ms / 1000) : ms, name);
            }
            Double c = compiled.get(r.key());
            return c == null ? x : x.withCompiled(c);
        });
    }

    /** The process's output lines, or null when it could not start or failed. */
    private static List<String> output(ProcessBuilder pb) throws IOException, InterruptedException {
        Process p;
        try {
            p = pb.redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.MINUTES) || p.exitValue() != 0) {
            System.out.println("bench: " + String.join(" ", pb.command()) + " failed:\n" + text);
            return null;
        }
        return text.lines().toList();
    }
}
