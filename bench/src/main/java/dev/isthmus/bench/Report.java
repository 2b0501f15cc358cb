package dev.isthmus.bench;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The markdown table, results.json and RESULTS.md of a benchmark run. */
final class Report {
    private Report() {
    }

    static String table(List<Bench.Row> rows) {
        boolean compiled = rows.stream().anyMatch(r -> r.compiledMillis() != null);
        StringBuilder sb = new StringBuilder("| workload | shape | device | ours | reference (same run) | ours vs reference |"
                + (compiled ? " torch.compile |" : "") + "\n|---|---|---|---|---|---|" + (compiled ? "---|" : "") + "\n");
        for (Bench.Row r : rows) {
            String ours = r.work() > 0
                    ? String.format(Locale.ROOT, "%.1f %s/s (%.3f ms)", r.rate(), r.workUnit(), r.millis())
                    : Double.isNaN(r.error()) ? String.format(Locale.ROOT, "%.3f ms", r.millis())
                    : String.format(Locale.ROOT, "%.3f ± %.3f ms", r.millis(), r.error());
            String ref = r.reference() == null ? (r.referenceName() == null ? "—" : r.referenceName()) : r.work() > 0
                    ? String.format(Locale.ROOT, "%.1f %s/s %s", r.reference(), r.workUnit(), r.referenceName())
                    : String.format(Locale.ROOT, "%.3f ms %s", r.reference(), r.referenceName());
            String ratio = r.ratio() == null ? "—" : String.format(Locale.ROOT, "%.2f×", r.ratio());
            sb.append("| ").append(r.workload()).append(" | ").append(r.shape()).append(" | ").append(r.device())
                    .append(" | ").append(ours).append(" | ").append(ref).append(" | ").append(ratio).append(" |");
            if (compiled) {
                sb.append(r.compiledMillis() == null ? " — |" : String.format(Locale.ROOT, " %.3f ms |", r.compiledMillis()));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static void json(Path file, List<Bench.Row> rows, List<Scaling.Curve> curves, List<Memory.Result> memory, String command,
                     List<String> devices) {
        Bench.writeJson(file, json -> {
            json.writeStartObject();
            json.writeStringField("command", command);
            json.writeObjectFieldStart("machine");
            for (Map.Entry<String, Object> e : Bench.machine(devices).entrySet()) {
                json.writeStringField(e.getKey(), String.valueOf(e.getValue()));
            }
            json.writeEndObject();
            json.writeArrayFieldStart("rows");
            for (Bench.Row r : rows) {
                json.writeStartObject();
                json.writeStringField("suite", r.suite());
                json.writeStringField("workload", r.workload());
                json.writeStringField("shape", r.shape());
                json.writeStringField("device", r.device());
                json.writeNumberField("ms", r.millis());
                if (!Double.isNaN(r.error())) {
                    json.writeNumberField("ms_error", r.error());
                }
                if (r.work() > 0) {
                    json.writeNumberField(r.workUnit() + "_per_s", r.rate());
                }
                if (r.reference() != null) {
                    json.writeNumberField("reference", r.reference());
                    json.writeStringField("reference_name", r.referenceName());
                    json.writeNumberField("ratio", r.ratio());
                } else if (r.referenceName() != null) {
                    json.writeStringField("reference_missing", r.referenceName());
                }
                if (r.compiledMillis() != null) {
                    json.writeNumberField("torch_compile_ms", r.compiledMillis());
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("scaling");
            for (Scaling.Curve c : curves) {
                json.writeStartObject();
                json.writeStringField("model", c.model());
                json.writeStringField("device", c.device());
                json.writeStringField("axis", c.axis());
                json.writeArrayFieldStart("points");
                for (Scaling.Point p : c.points()) {
                    json.writeStartObject();
                    json.writeNumberField(c.axis(), p.x());
                    json.writeNumberField("ms", p.millis());
                    json.writeNumberField("gflops", p.gflops());
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeStringField("verdict", c.verdict());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("memory");
            for (Memory.Result m : memory) {
                json.writeStartObject();
                json.writeStringField("model", m.model());
                json.writeNumberField("batch", m.batch());
                sample(json, "ours", m.ours());
                sample(json, "pytorch", m.torch());
                if (!Double.isNaN(m.ratio())) {
                    json.writeNumberField("ratio", m.ratio());
                }
                if (!m.why().isEmpty()) {
                    json.writeStringField("why", m.why());
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        });
    }

    /** One side of a memory row: peak, resident halfway and at the end (KiB), steps; nothing if it did not run. */
    private static void sample(JsonGenerator json, String side, Rss.Sample s) throws IOException {
        if (s == null) {
            return;
        }
        json.writeObjectFieldStart(side);
        json.writeNumberField("peak_kb", s.peakKb());
        json.writeNumberField("half_kb", s.halfKb());
        json.writeNumberField("end_kb", s.endKb());
        json.writeNumberField("steps", s.steps());
        json.writeEndObject();
    }

    /** Writes a fresh RESULTS.md: command, machine, date, the table, the other sections (scaling, memory), the goals. */
    static void resultsMarkdown(Path file, List<Bench.Row> rows, String sections, String command, List<String> devices) {
        StringBuilder sb = new StringBuilder("# Benchmark results\n\n");
        sb.append("Replaced (not appended) by `").append(command).append(" --results-md bench/RESULTS.md`.\n\n");
        Bench.machine(devices).forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
        sb.append("\nEach reference was measured in the same run, right after our figure; \"ours vs reference\" above 1 means"
                + " Isthmus is faster. GPU rows appear only when the run had a CUDA device.\n\n");
        sb.append(table(rows)).append('\n');
        if (!sections.isEmpty()) {
            sb.append(sections).append('\n');
        }
        sb.append(goals(rows));
        try {
            Files.writeString(file, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }

    static String goals(List<Bench.Row> rows) {
        StringBuilder sb = new StringBuilder("## Goals\n\n");
        goal(sb, rows, "CPU GEMM ≥ 1.0× numpy (1024 and up)", r -> r.suite().equals("gemm") && r.device().equals("cpu")
                && !r.shape().startsWith("512"), 1.0);
        goal(sb, rows, "GPU GEMM ≥ 0.95× torch.matmul", r -> r.suite().equals("gemm") && r.device().equals("cuda"), 0.95);
        goal(sb, rows, "each sample's CPU training step no slower than PyTorch CPU (≥ 1.0×)",
                r -> r.suite().equals("step") && r.device().equals("cpu"), 1.0);
        goal(sb, rows, "each sample's GPU training step ≥ 1.5× faster than PyTorch eager",
                r -> r.suite().equals("step") && r.device().equals("cuda"), 1.5);
        sb.append("- elementwise ≥ 90% of copy bandwidth: measured by the device check (bench/gpu-check.sh), not by these suites\n");
        return sb.toString();
    }

    private static void goal(StringBuilder sb, List<Bench.Row> rows, String name, java.util.function.Predicate<Bench.Row> which,
                             double target) {
        List<Bench.Row> measured = rows.stream().filter(which).filter(r -> r.ratio() != null).toList();
        if (measured.isEmpty()) {
            sb.append("- ").append(name).append(": not measured in this run\n");
            return;
        }
        double worst = measured.stream().mapToDouble(Bench.Row::ratio).min().orElseThrow();
        double best = measured.stream().mapToDouble(Bench.Row::ratio).max().orElseThrow();
        sb.append(String.format(Locale.ROOT, "- %s: %s (%.2f× to %.2f× over %d rows)%n", name,
                worst >= target ? "met" : "missed", worst, best, measured.size()));
    }
}
