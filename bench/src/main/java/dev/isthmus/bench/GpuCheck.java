package dev.isthmus.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.isthmus.cuda.CublasHandle;
import dev.isthmus.nn.backend.Backends;
import dev.isthmus.nn.backend.cuda.CudaBackend;
import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Conv2D;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Dropout;
import dev.isthmus.nn.layers.Embedding;
import dev.isthmus.nn.layers.Flatten;
import dev.isthmus.nn.layers.LSTM;
import dev.isthmus.nn.layers.MaxPooling2D;
import dev.isthmus.nn.losses.Loss;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.model.Fit;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

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
        try (JsonGenerator json = new JsonFactory().createGenerator(out.resolve("java-results.json").toFile(),
                JsonEncoding.UTF8).useDefaultPrettyPrinter()) {
            json.writeStartObject();
            json.writeStringField("backend", backend.describe());
            bandwidth(json, backend);
            gemm(json, backend);
            dispatch(json, backend);
            trainingSteps(json, backend);
            json.writeEndObject();
        }
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
        double add = seconds(() -> {
            try (Scope s = Scope.open()) {
                x.mul(1.5f);
            }
        }, backend, 20);
        json.writeObjectFieldStart("bandwidth");
        json.writeNumberField("bytes_moved_per_op", bytes);
        json.writeNumberField("copy_GBps", bytes / copy / 1e9);
        json.writeNumberField("relu_GBps", bytes / relu / 1e9);
        json.writeNumberField("scale_GBps", bytes / add / 1e9);
        json.writeNumberField("relu_vs_copy", copy / relu);
        json.writeEndObject();
        System.out.printf("bandwidth: copy %.0f GB/s, relu %.0f GB/s (%.2f of copy)%n", bytes / copy / 1e9,
                bytes / relu / 1e9, copy / relu);
    }

    private static void gemm(JsonGenerator json, CudaBackend backend) throws IOException {
        json.writeArrayFieldStart("gemm");
        for (int size : new int[] {1024, 4096, 8192}) {
            Tensor a = Tensor.uniform(new int[] {size, size}, -1, 1, 2);
            Tensor b = Tensor.uniform(new int[] {size, size}, -1, 1, 3);
            for (CublasHandle.Precision p : CublasHandle.Precision.values()) {
                backend.setGemmPrecision(p);
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
        backend.setGemmPrecision(CublasHandle.Precision.FP32);
        json.writeEndArray();
    }

    private static void dispatch(JsonGenerator json, CudaBackend backend) throws IOException {
        Tensor t = Tensor.of(CUDA, new float[] {1f}, 1);
        int ops = 1000;
        double perBatch = seconds(() -> {
            try (Scope s = Scope.open()) {
                Tensor u = t;
                for (int i = 0; i < ops; i++) {
                    u = u.add(1f);
                }
            }
        }, backend, 50);
        double micros = perBatch / ops * 1e6;
        json.writeNumberField("dispatch_us_per_tiny_op", micros);
        System.out.printf("dispatch: %.2f us per tiny op (allocation, launch, free)%n", micros);
    }

    private record Model(String name, Supplier<Sequential> build, Loss loss, Tensor x, Tensor y, int batch) {
    }

    private static Tensor classes(long seed, int bound, int... shape) {
        float[] v = Tensor.uniform(shape, 0, bound, seed).to(Device.CPU).toArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.floor(v[i]);
        }
        return Tensor.of(CUDA, v, shape);
    }

    private static void trainingSteps(JsonGenerator json, CudaBackend backend) throws IOException {
        Model[] models = {
            new Model("mlp", () -> new Sequential(new Dense(10, Activation.RELU), new Dense(1)), Losses.mse(),
                    Tensor.uniform(new int[] {32 * 20, 10}, -1, 1, 4), Tensor.uniform(new int[] {32 * 20, 1}, -1, 1, 5), 32),
            new Model("text", () -> new Sequential(new Embedding(5000, 32, true), new Dropout(0.5f), new LSTM(64),
                    new Dense(2, Activation.SOFTMAX)), Losses.sparseCategoricalCrossentropy(),
                    classes(6, 5000, 32 * 20, 20), classes(7, 2, 32 * 20), 32),
            new Model("image", () -> new Sequential(new Conv2D(32, 3, Activation.RELU), new MaxPooling2D(2), new Flatten(),
                    new Dense(128, Activation.RELU), new Dense(10, Activation.SOFTMAX)), Losses.sparseCategoricalCrossentropy(),
                    Tensor.uniform(new int[] {64 * 20, 28, 28, 1}, 0, 1, 8), classes(9, 10, 64 * 20), 64),
            new Model("recommend", () -> new Sequential(new Embedding(9000, 64, true), new LSTM(64), new Dropout(0.3f),
                    new Dense(9000, Activation.SOFTMAX)), Losses.sparseCategoricalCrossentropy(),
                    classes(10, 9000, 256 * 20, 10), classes(11, 9000, 256 * 20), 256),
            new Model("speech", () -> new Sequential(new Conv2D(16, 3, Activation.RELU), new MaxPooling2D(2),
                    new Conv2D(32, 3, Activation.RELU), new MaxPooling2D(2), new Flatten(), new Dense(64, Activation.RELU),
                    new Dropout(0.3f), new Dense(10, Activation.SOFTMAX)), Losses.sparseCategoricalCrossentropy(),
                    Tensor.uniform(new int[] {32 * 20, 64, 40, 1}, -1, 1, 12), classes(13, 10, 32 * 20), 32)};
        json.writeObjectFieldStart("training_step_ms");
        for (Model m : models) {
            try (Sequential model = m.build.get().seed(1)) {
                model.compile(new Adam(1e-3f), m.loss);
                model.fit(m.x, m.y, Fit.epochs(1).batchSize(m.batch).verbose(0).shuffle(false));
                backend.synchronize();
                int steps = m.x.size(0) / m.batch;
                long t0 = System.nanoTime();
                model.fit(m.x, m.y, Fit.epochs(3).batchSize(m.batch).verbose(0).shuffle(false));
                backend.synchronize();
                double ms = (System.nanoTime() - t0) / 1e6 / (3.0 * steps);
                json.writeNumberField(m.name, ms);
                System.out.printf("training step %s (batch %d): %.3f ms%n", m.name, m.batch, ms);
            }
        }
        json.writeEndObject();
    }
}
