package dev.isthmus.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.isthmus.cuda.Precision;
import dev.isthmus.nn.backend.Backends;
import dev.isthmus.nn.backend.cuda.CudaBackend;
import dev.isthmus.nn.model.Fit;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Java half of the one-shot device check (bench/gpu-check.sh): on CUDA device 0, measures
 * elementwise bandwidth beside a device-to-device copy, SGEMM/TF32/BF16 GEMM throughput, the
 * per-op dispatch cost of a tiny op, and one training step of each sample model, and writes
 * them as JSON ({@code java-results.json} in the folder given). Times are wall-clock around
 * repeated work closed by a synchronize; the PyTorch half measures the same shapes.
 */
public final class GpuCheck {
    private static final Device CUDA = Device.cuda(0);

    private GpuCheck() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : ".");
        Files.createDirectories(out);
        Backends.setDefaultDevice("cuda");
        CudaBackend backend = (CudaBackend) Backends.of(CUDA);
        Bench.writeJson(out.resolve("java-results.json"), json -> {
            json.writeStartObject();
            json.writeStringField("backend", backend.describe());
            bandwidth(json, backend);
            gemm(json, backend);
            dispatch(json, backend);
            trainingSteps(json, backend);
            json.writeEndObject();
        });
        System.out.println("GpuCheck: wrote " + out.resolve("java-results.json"));
    }

    private static double seconds(Runnable work, CudaBackend backend, int reps) {
        work.run();
        backend.synchronize();
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            work.run();
        }
        backend.synchronize();
        return (System.nanoTime() - t0) / 1e9 / reps;
    }

    private static void bandwidth(JsonGenerator json, CudaBackend backend) throws IOException {
        int n = 1 << 28; // 1 GiB of floats
        Tensor x = Tensor.uniform(new int[] {n}, -1, 1, 1);
        double bytes = 2.0 * 4 * n;
        double copy = seconds(() -> {
            try (Scope s = Scope.open()) {
                x.copy();
            }
        }, backend, 20);
        double relu = seconds(() -> {
            try (Scope s = Scope.open()) {
                x.relu();
            }
        }, backend, 20);
        double scale = seconds(() -> {
            try (Scope s = Scope.open()) {
                x.mul(1.5f);
            }
        }, backend, 20);
        double add = seconds(() -> {
            try (Scope s = Scope.open()) {
                x.add(x);
            }
        }, backend, 20);
        json.writeObjectFieldStart("bandwidth");
        json.writeNumberField("bytes_moved_per_op", bytes);
        json.writeNumberField("copy_GBps", bytes / copy / 1e9);
        json.writeNumberField("relu_GBps", bytes / relu / 1e9);
        json.writeNumberField("scale_GBps", bytes / scale / 1e9);
        // add reads two inputs and writes one: 3 × 4n bytes, counted the same way as the copy's 2 × 4n
        double addBytes = 3.0 * 4 * n;
        json.writeNumberField("add_GBps", addBytes / add / 1e9);
        json.writeNumberField("relu_vs_copy", copy / relu);
        json.writeNumberField("add_vs_copy", (addBytes / add) / (bytes / copy));
        json.writeEndObject();
        System.out.printf("bandwidth: copy %.0f GB/s, relu %.0f GB/s (%.2f of copy), add %.0f GB/s (%.2f of copy)%n",
                bytes / copy / 1e9, bytes / relu / 1e9, copy / relu, addBytes / add / 1e9, (addBytes / add) / (bytes / copy));
    }

    private static void gemm(JsonGenerator json, CudaBackend backend) throws IOException {
        json.writeArrayFieldStart("gemm");
        for (int size : new int[] {1024, 4096, 8192}) {
            Tensor a = Tensor.uniform(new int[] {size, size}, -1, 1, 2);
            Tensor b = Tensor.uniform(new int[] {size, size}, -1, 1, 3);
            for (Precision p : Precision.values()) {
                backend.setPrecision(p);
                double s = seconds(() -> {
                    try (Scope scope = Scope.open()) {
                        a.matmul(b);
                    }
                }, backend, size >= 8192 ? 5 : 20);
                double tflops = 2.0 * size * size * size / s / 1e12;
                json.writeStartObject();
                json.writeNumberField("size", size);
                json.writeStringField("precision", p.name());
                json.writeNumberField("tflops", tflops);
                json.writeEndObject();
                System.out.printf("gemm %d %s: %.1f TFLOP/s%n", size, p, tflops);
            }
        }
        backend.setPrecision(Precision.FP32);
        json.writeEndArray();
    }

    private static void dispatch(JsonGenerator json, CudaBackend backend) throws IOException {
        Tensor t = Tensor.of(CUDA, new float[] {1f}, 1);
        int ops = 10_000;
        double perBatch = seconds(() -> {
            try (Scope s = Scope.open()) {
                Tensor u = t;
                for (int i = 0; i < ops; i++) {
                    u = u.add(1f);
                }
            }
        }, backend, 5);
        double micros = perBatch / ops * 1e6;
        json.writeNumberField("dispatch_us_per_tiny_op", micros);
        System.out.printf("dispatch: %.2f us per tiny op (allocation, launch, free)%n", micros);
    }

    /**
     * One training step of each sample model at its sample's batch size (Workloads' shapes, as
     * bench/gpu_torch.py), eager and with {@code Fit.cudaGraphs(true)} (each after a warm-up fit).
     */
    private static void trainingSteps(JsonGenerator json, CudaBackend backend) throws IOException {
        java.util.Map<String, Double> hostReads = new java.util.LinkedHashMap<>();
        java.util.Map<String, Double> graphMs = new java.util.LinkedHashMap<>();
        java.util.Map<String, Double> graphHostReads = new java.util.LinkedHashMap<>();
        json.writeObjectFieldStart("training_step_ms");
        for (String name : Workloads.MODELS) {
            int batch = switch (name) {
                case "image" -> 64;
                case "recommend" -> 256;
                default -> 32;
            };
            Tensor x = Workloads.inputs(name, batch * 20, CUDA);
            Tensor y = Workloads.labels(name, batch * 20, CUDA);
            double[] eager = stepTime(name, batch, x, y, false, backend);
            json.writeNumberField(name, eager[0]);
            hostReads.put(name, eager[1]);
            System.out.printf("training step %s (batch %d): %.3f ms, %.2f host reads per step%n", name, batch, eager[0],
                    eager[1]);
            try {
                double[] graphed = stepTime(name, batch, x, y, true, backend);
                graphMs.put(name, graphed[0]);
                graphHostReads.put(name, graphed[1]);
                System.out.printf("training step %s (batch %d) with CUDA graphs: %.3f ms (%.2fx eager), %.2f host reads"
                        + " per step%n", name, batch, graphed[0], eager[0] / graphed[0], graphed[1]);
            } catch (RuntimeException e) {
                System.out.printf("training step %s with CUDA graphs FAILED: %s%n", name, e);
            }
        }
        json.writeEndObject();
        writeMap(json, "host_reads_per_step", hostReads);
        writeMap(json, "training_step_graph_ms", graphMs);
        writeMap(json, "host_reads_per_step_graph", graphHostReads);
    }

    /** Milliseconds and host reads per step over 3 epochs of 20 steps, after a warm-up epoch. */
    private static double[] stepTime(String name, int batch, Tensor x, Tensor y, boolean graphs, CudaBackend backend) {
        try (Sequential model = Workloads.model(name, 1).seed(1)) {
            model.compile(new Adam(1e-3f), Workloads.loss(name));
            model.fit(x, y, Fit.epochs(1).batchSize(batch).verbose(0).shuffle(false).cudaGraphs(graphs));
            backend.synchronize();
            CUDA.resetStats();
            long t0 = System.nanoTime();
            model.fit(x, y, Fit.epochs(3).batchSize(batch).verbose(0).shuffle(false).cudaGraphs(graphs));
            backend.synchronize();
            double ms = (System.nanoTime() - t0) / 1e6 / (3.0 * 20);
            return new double[] {ms, CUDA.stats().hostReads() / (3.0 * 20)};
        }
    }

    private static void writeMap(JsonGenerator json, String field, java.util.Map<String, Double> values)
            throws IOException {
        json.writeObjectFieldStart(field);
        for (var e : values.entrySet()) {
            json.writeNumberField(e.getKey(), e.getValue());
        }
        json.writeEndObject();
    }
}
