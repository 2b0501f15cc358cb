package dev.isthmus.nn.backend.cuda;

import dev.isthmus.cuda.DeviceOutOfMemoryException;
import dev.isthmus.cuda.Precision;
import dev.isthmus.cuda.RequiresGpu;
import dev.isthmus.nn.backend.Backends;
import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Conv2D;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Embedding;
import dev.isthmus.nn.layers.Flatten;
import dev.isthmus.nn.layers.LSTM;
import dev.isthmus.nn.layers.MaxPooling2D;
import dev.isthmus.nn.losses.Loss;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.model.Fit;
import dev.isthmus.nn.model.History;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.nn.testkit.BackendParity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CUDA backend under real workloads: the five sample model types, memory, asynchrony, errors. */
@RequiresGpu
class CudaBackendTest {
    private static final Device CUDA = Device.cuda(0);

    @TempDir
    Path dir;

    @AfterEach
    void backToCpu() {
        Backends.setDefaultDevice("cpu");
    }

    private static CudaBackend backend() {
        return (CudaBackend) Backends.of(CUDA);
    }

    /** An int32 tensor of ids or labels in [0, bound). */
    private static Tensor integers(long seed, int bound, int... shape) {
        float[] v = Tensor.uniform(shape, 0f, bound, seed).toArray();
        int[] ids = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            ids[i] = (int) Math.floor(v[i]);
        }
        return Tensor.of(ids, shape);
    }

    private record Workload(String name, Supplier<Sequential> model, Loss loss, Tensor x, Tensor y) {
    }

    private static List<Workload> sampleModels() {
        Tensor tokens = integers(3, 50, 16, 12);
        int[] padded = tokens.toIntArray();
        for (int i = 0; i < 16; i++) {
            for (int t = 0; t < i % 5; t++) {
                padded[i * 12 + t] = 0; // pre-padding, different per row: exercises the LSTM mask
            }
        }
        return List.of(
                new Workload("mlp", () -> new Sequential(new Dense(10, Activation.RELU), new Dense(1)),
                        Losses.mse(), Tensor.uniform(new int[] {32, 10}, -1, 1, 1), Tensor.uniform(new int[] {32, 1}, -1, 1, 2)),
                new Workload("text", () -> new Sequential(new Embedding(50, 8, true), new LSTM(16),
                        new Dense(2, Activation.SOFTMAX)), Losses.sparseCategoricalCrossentropy(),
                        Tensor.of(padded, 16, 12), integers(4, 2, 16)),
                new Workload("image", () -> new Sequential(new Conv2D(4, 3, Activation.RELU), new MaxPooling2D(2),
                        new Flatten(), new Dense(10, Activation.SOFTMAX)), Losses.sparseCategoricalCrossentropy(),
                        Tensor.uniform(new int[] {8, 12, 12, 1}, 0, 1, 5), integers(6, 10, 8)),
                new Workload("image same-padded, stride 2", () -> new Sequential(
                        new Conv2D(3, new int[] {3, 3}, new int[] {2, 2}, "same", Activation.RELU, true),
                        new Flatten(), new Dense(4, Activation.SOFTMAX)), Losses.sparseCategoricalCrossentropy(),
                        Tensor.uniform(new int[] {4, 10, 10, 2}, 0, 1, 7), integers(8, 4, 4)),
                new Workload("recommend", () -> new Sequential(new Embedding(40, 8, true), new LSTM(16),
                        new Dense(40, Activation.SOFTMAX)), Losses.sparseCategoricalCrossentropy(),
                        integers(9, 40, 16, 10), integers(10, 40, 16)),
                new Workload("speech", () -> new Sequential(new LSTM(16, true), new LSTM(16),
                        new Dense(10, Activation.SOFTMAX)), Losses.sparseCategoricalCrossentropy(),
                        Tensor.uniform(new int[] {8, 20, 13}, -1, 1, 11), integers(12, 10, 8)));
    }

    private History train(Workload w, Path weights, Device device) {
        Backends.setDefaultDevice(device.toString());
        try (Sequential model = Sequential.load(weights)) {
            model.compile(new Adam(0.01f), w.loss());
            return model.fit(w.x().to(device), w.y().to(device),
                    Fit.epochs(3).batchSize(8).seed(1).verbose(0));
        }
    }

    @Test
    void eachSampleModelTrainsAsOnTheCpu() {
        for (Workload w : sampleModels()) {
            Path weights = dir.resolve(w.name().replace(' ', '_') + ".safetensors");
            Backends.setDefaultDevice("cpu");
            try (Sequential model = w.model().get().seed(42)) {
                model.build(java.util.Arrays.copyOfRange(w.x().shape(), 1, w.x().rank()));
                model.save(weights);
            }
            History cpu = train(w, weights, Device.CPU);
            History gpu = train(w, weights, CUDA);
            double[] a = cpu.get("loss").stream().mapToDouble(Double::doubleValue).toArray();
            double[] b = gpu.get("loss").stream().mapToDouble(Double::doubleValue).toArray();
            for (int e = 0; e < a.length; e++) {
                assertEquals(a[e], b[e], 2e-3 * Math.max(1, Math.abs(a[e])), w.name() + " loss at epoch " + e);
            }
        }
    }

    @Test
    void trainingStepsNeitherLeakNorGrowThePool() {
        Backends.setDefaultDevice("cuda");
        long baseline = CudaBackend.liveBytes();
        Tensor x = Tensor.uniform(new int[] {64, 10}, -1, 1, 1);
        Tensor y = Tensor.uniform(new int[] {64, 1}, -1, 1, 2);
        long reservedAfterWarmUp;
        try (Sequential model = new Sequential(new Dense(32, Activation.RELU), new Dense(1)).seed(1)) {
            model.compile(new Adam(0.001f), Losses.mse());
            model.fit(x, y, Fit.epochs(10).batchSize(64).verbose(0));
            backend().synchronize();
            reservedAfterWarmUp = backend().pool().reservedBytes();
            model.fit(x, y, Fit.epochs(1000).batchSize(64).verbose(0));
            backend().synchronize();
            assertEquals(reservedAfterWarmUp, backend().pool().reservedBytes(), backend().poolState());
        }
        x = null;
        y = null;
        System.gc();
        for (int i = 0; i < 50 && CudaBackend.liveBytes() > baseline; i++) {
            System.gc();
            Thread.onSpinWait();
        }
        assertEquals(baseline, CudaBackend.liveBytes(), "device bytes of closed models and collected tensors");
    }

    @Test
    void tenThousandAllocationsReuseThePool() {
        CudaBackend b = backend();
        for (int i = 0; i < 100; i++) {
            try (Scope s = Scope.open()) {
                Tensor.zeros(s, CUDA, 1024, 256);
            }
        }
        b.synchronize();
        long reserved = b.pool().reservedBytes();
        long live = CudaBackend.liveBytes();
        for (int i = 0; i < 10_000; i++) {
            try (Scope s = Scope.open()) {
                Tensor.zeros(s, CUDA, 1024, 256);
            }
        }
        b.synchronize();
        assertEquals(reserved, b.pool().reservedBytes(), b.poolState());
        assertEquals(live, CudaBackend.liveBytes());
    }

    @Test
    void longAsynchronousChainsReadBackCorrectly() {
        Tensor cpu = Tensor.uniform(new int[] {1000, 100}, -1, 1, 3);
        Tensor gpu = cpu.to(CUDA);
        for (int i = 0; i < 2000; i++) {
            float s = (i % 2 == 0) ? 1.0001f : 0.9999f;
            cpu = cpu.mul(s).add(0.0001f).tanh();
            gpu = gpu.mul(s).add(0.0001f).tanh();
        }
        BackendParity.standard().assertClose("2000-op chain", cpu.toArray(), gpu.toArray());
    }

    @Test
    void outOfMemoryNamesTheRequestAndTheBackendCarriesOn() {
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
                () -> Tensor.zeros(null, CUDA, 1 << 30, 1 << 20));
        assertTrue(e.getMessage().contains("pool:"), e.getMessage());
        assertTrue(e.getMessage().contains(Long.toString(4L << 50)), e.getMessage());
        Tensor t = Tensor.of(CUDA, new float[] {1, 2, 3}, 3).mul(2f);
        assertEquals(12f, t.sum().item());
    }

    @Test
    void tf32AndBf16GemmsAreOptInCloseAndTakeEffect() {
        Tensor a = Tensor.uniform(new int[] {256, 256}, -1, 1, 1);
        Tensor b = Tensor.uniform(new int[] {256, 256}, -1, 1, 2);
        assertEachPrecisionCloseAndDistinct("GEMM", a.matmul(b).toArray(), () -> a.to(CUDA).matmul(b.to(CUDA)).toArray());
    }

    /**
     * Runs {@code onGpu} under each precision: close to the CPU's {@code exact} within the
     * precision's tolerance, and for TF32/BF16 not FP32's result bit for bit (no silent fallback).
     */
    private static void assertEachPrecisionCloseAndDistinct(String what, float[] exact, Supplier<float[]> onGpu) {
        CudaBackend backend = backend();
        try {
            float[] fp32 = null;
            for (Precision p : Precision.values()) {
                backend.setPrecision(p);
                float[] got = onGpu.get();
                double tolerance = p == Precision.FP32 ? 1e-3 : p == Precision.TF32 ? 0.05 : 0.3;
                BackendParity.standard().withTolerance(tolerance, 0.01).assertClose(p + " " + what, exact, got);
                if (p == Precision.FP32) {
                    fp32 = got;
                } else {
                    assertTrue(!java.util.Arrays.equals(fp32, got), p + " " + what + " equals FP32 bit for bit: "
                            + "the precision did not take effect");
                }
            }
        } finally {
            backend.setPrecision(Precision.FP32);
        }
    }

    private static Tensor lstmOutputs(java.util.List<Tensor> in, Tensor mask) {
        Tensor m = mask == null ? null : mask.to(in.get(0).device());
        // all of hc: h of every step, c of the last, and the zeros the contract puts in the other cell slots
        return dev.isthmus.nn.tensor.Functional.lstm(in.get(0), m, in.get(1), in.get(2), in.get(3));
    }

    private static Tensor[] lstmInputs(int n, int t, int d, int u, long seed) {
        return new Tensor[] {Tensor.uniform(new int[] {n, t, d}, -1, 1, seed),
            Tensor.uniform(new int[] {d, 4 * u}, -0.5f, 0.5f, seed + 1),
            Tensor.uniform(new int[] {u, 4 * u}, -0.5f, 0.5f, seed + 2),
            Tensor.uniform(new int[] {4 * u}, -0.5f, 0.5f, seed + 3)};
    }

    @Test
    void lstmMatchesTheCpuThroughCudnnAndThroughTheGateKernels() {
        // 48 x 96 states: many blocks of the per-step kernels and of the weight packing
        int n = 48, t = 7, d = 40, u = 96;
        Tensor[] inputs = lstmInputs(n, t, d, u, 1);
        BackendParity parity = BackendParity.standard().withTolerance(2e-4, 2e-3);
        CudaBackend backend = backend();
        long cudnn = backend.cudnnLstmForwards();
        long kernels = backend.kernelLstmForwards();
        parity.check("unmasked LSTM (cuDNN RNN v8)", CUDA, in -> lstmOutputs(in, null), inputs);
        assertEquals(cudnn + 1, backend.cudnnLstmForwards(), "the unmasked LSTM ran through cuDNN");
        assertEquals(kernels, backend.kernelLstmForwards());
        float[] mask = new float[n * t];
        for (int i = 0; i < n; i++) {
            for (int s = i % t; s < t; s++) {
                mask[i * t + s] = 1f; // row i pre-padded by i mod t steps
            }
        }
        Tensor m = Tensor.of(mask, n, t);
        parity.check("masked LSTM (cuBLAS + gate kernels)", CUDA, in -> lstmOutputs(in, m), inputs);
        assertEquals(kernels + 1, backend.kernelLstmForwards(), "the masked LSTM ran through the gate kernels");
        assertEquals(cudnn + 1, backend.cudnnLstmForwards());
    }

    @Test
    void cudnnLstmWeightGradientsDoNotAccumulateAcrossBackwards() {
        // cuDNN only adds into the weight-gradient space: each backward must start from zero
        int n = 8, t = 5, d = 12, u = 24;
        Tensor[] inputs = lstmInputs(n, t, d, u, 51);
        float[][] first = lstmWeightGradientsOnCuda(inputs);
        float[][] second = lstmWeightGradientsOnCuda(inputs);
        for (int k = 0; k < first.length; k++) {
            assertTrue(java.util.Arrays.equals(first[k], second[k]), "weight gradient " + k + " changed on a second backward");
        }
    }

    private float[][] lstmWeightGradientsOnCuda(Tensor[] cpuInputs) {
        Tensor[] in = new Tensor[cpuInputs.length];
        for (int k = 0; k < in.length; k++) {
            in[k] = Tensor.of(CUDA, cpuInputs[k].toArray(), cpuInputs[k].shape()).requiresGrad(true);
        }
        long cudnn = backend().cudnnLstmForwards();
        dev.isthmus.nn.tensor.Functional.lstm(in[0], null, in[1], in[2], in[3]).sum().backward();
        assertEquals(cudnn + 1, backend().cudnnLstmForwards(), "the LSTM ran through cuDNN");
        return new float[][] {in[1].grad().toArray(), in[2].grad().toArray(), in[3].grad().toArray()};
    }

    @Test
    void stackedLstmsOfOneShapeKeepTheirOwnWeightsThroughCudnn() {
        // LSTM(32, true) -> LSTM(32) on 32 features: both layers have one cuDNN plan; each must
        // run its backward with its own weights
        int n = 16, t = 10, u = 32;
        Tensor[] first = lstmInputs(n, t, u, u, 11);
        Tensor[] second = lstmInputs(n, t, u, u, 21);
        Tensor[] inputs = {first[0], first[1], first[2], first[3], second[1], second[2], second[3]};
        CudaBackend backend = backend();
        long cudnn = backend.cudnnLstmForwards();
        BackendParity.standard().withTolerance(2e-4, 2e-3).check("LSTM(32, true) -> LSTM(32)", CUDA, in -> {
            Tensor h1 = dev.isthmus.nn.tensor.Functional.lstm(in.get(0), null, in.get(1), in.get(2), in.get(3))
                    .slice(2, 0, u);
            Tensor hc2 = dev.isthmus.nn.tensor.Functional.lstm(h1, null, in.get(4), in.get(5), in.get(6));
            return hc2.slice(1, t - 1, t).reshape(n, 2 * u);
        }, inputs);
        assertEquals(cudnn + 2, backend.cudnnLstmForwards(), "both layers ran through cuDNN");
        Workload stacked = new Workload("stacked LSTMs", () -> new Sequential(new LSTM(u, true), new LSTM(u),
                new Dense(4, Activation.SOFTMAX)), Losses.sparseCategoricalCrossentropy(),
                Tensor.uniform(new int[] {n, t, u}, -1, 1, 31), integers(32, 4, n));
        Path weights = dir.resolve("stacked.safetensors");
        Backends.setDefaultDevice("cpu");
        try (Sequential model = stacked.model().get().seed(42)) {
            model.build(new int[] {t, u});
            model.save(weights);
        }
        double[] cpu = train(stacked, weights, Device.CPU).get("loss").stream().mapToDouble(Double::doubleValue).toArray();
        double[] gpu = train(stacked, weights, CUDA).get("loss").stream().mapToDouble(Double::doubleValue).toArray();
        for (int e = 0; e < cpu.length; e++) {
            assertEquals(cpu[e], gpu[e], 2e-3 * Math.max(1, Math.abs(cpu[e])), "stacked LSTMs: loss at epoch " + e);
        }
    }

    @Test
    void tf32AndBf16ConvolutionsAreOptInAndTakeEffect() {
        // 64 channels in and out: large enough that cuDNN has tensor-core algorithms for it
        Tensor x = Tensor.uniform(new int[] {8, 32, 32, 64}, -1, 1, 41);
        Tensor k = Tensor.uniform(new int[] {3, 3, 64, 64}, -1, 1, 42);
        var same = dev.isthmus.nn.backend.Window2d.Padding.SAME;
        assertEachPrecisionCloseAndDistinct("convolution", dev.isthmus.nn.tensor.Functional.conv2d(x, k, 1, 1, same).toArray(),
                () -> dev.isthmus.nn.tensor.Functional.conv2d(x.to(CUDA), k.to(CUDA), 1, 1, same).toArray());
    }

    @Test
    void integerIndicesGatherScatterPickAndCastAsOnTheCpu() {
        // 3000 rows of 700 floats: many blocks of the grid-stride gather and scatter
        Tensor rows = integers(21, 3000, 4096);
        Tensor labels = integers(22, 700, 4096);
        BackendParity parity = BackendParity.standard();
        for (dev.isthmus.nn.tensor.DType type : new dev.isthmus.nn.tensor.DType[] {
            dev.isthmus.nn.tensor.DType.INT32, dev.isthmus.nn.tensor.DType.INT64}) {
            Tensor r = rows.cast(type);
            Tensor l = labels.cast(type);
            parity.check("indexSelect " + type, CUDA, in -> in.get(0).indexSelect(r.to(in.get(0).device())),
                    Tensor.uniform(new int[] {3000, 700}, -1, 1, 23));
            parity.check("pick " + type, CUDA, in -> in.get(0).indexSelect(r.to(in.get(0).device()))
                    .pick(l.to(in.get(0).device())), Tensor.uniform(new int[] {3000, 700}, -1, 1, 24));
        }
        Tensor wide = Tensor.of(new long[] {1L << 40, -3, 7, Long.MAX_VALUE}, 2, 2);
        org.junit.jupiter.api.Assertions.assertArrayEquals(wide.indexSelect(1, 0, 1).toLongArray(),
                wide.to(CUDA).indexSelect(1, 0, 1).toLongArray(), "int64 rows move whole");
        Tensor f = Tensor.of(new float[] {2.9f, -2.9f, Float.NaN, 1e20f, -1e20f, 16777217f}, 6);
        for (var from : dev.isthmus.nn.tensor.DType.values()) {
            Tensor src = f.cast(from);
            for (var to : dev.isthmus.nn.tensor.DType.values()) {
                Tensor cpu = src.cast(to);
                Tensor gpu = src.to(CUDA).cast(to).to(Device.CPU);
                assertEquals(cpu.toString(), gpu.toString(), "cast " + from + " -> " + to);
            }
        }
    }

    @Test
    void inferenceThroughCudnnKeepsNoReserveSpace() {
        Backends.setDefaultDevice("cuda");
        try (Sequential model = new Sequential(new LSTM(16), new Dense(2)).seed(1)) {
            Tensor x = Tensor.uniform(new int[] {4, 9, 5}, -1, 1, 3);
            long forwards = backend().cudnnLstmForwards();
            long reserves = backend().cudnnLstmReserves();
            model.predict(x);
            assertEquals(forwards + 1, backend().cudnnLstmForwards(), "the unmasked LSTM ran through cuDNN");
            assertEquals(reserves, backend().cudnnLstmReserves(), "no reserve space under noGrad");
            try (Scope s = Scope.open()) {
                model.forward(x, true).sum().backward();
            }
            assertEquals(reserves + 1, backend().cudnnLstmReserves(), "training keeps one for its backward");
        }
    }

    @Test
    void argmaxMatchesTheCpuOnLongRowsTiesAndNaN() {
        Tensor x = Tensor.uniform(new int[] {256, 9000}, -1, 1, 31).mul(4f).add(0.5f).clamp(-1f, 1f); // many ties at 1
        org.junit.jupiter.api.Assertions.assertArrayEquals(x.argmax().toIntArray(), x.to(CUDA).argmax().toIntArray());
        float nan = Float.NaN;
        Tensor edge = Tensor.of(new float[] {1, 3, 3, 0, 2, nan, 5, nan, -1f / 0f, -1f / 0f, -1f / 0f, -1f / 0f}, 3, 4);
        org.junit.jupiter.api.Assertions.assertArrayEquals(edge.argmax().toIntArray(), edge.to(CUDA).argmax().toIntArray());
    }

    @Test
    void aTrainingStepReadsNothingBackFromTheDevice() {
        Backends.setDefaultDevice("cuda");
        Tensor x = integers(41, 40, 400, 6);
        Tensor y = integers(42, 3, 400);
        try (Sequential model = new Sequential(new Embedding(40, 8, true), new LSTM(16),
                new Dense(3, Activation.SOFTMAX)).seed(1)) {
            model.compile(new Adam(0.01f), Losses.sparseCategoricalCrossentropy(),
                    dev.isthmus.nn.metrics.Metrics.ACCURACY);
            CUDA.resetStats();
            model.fit(x, y, Fit.epochs(3).batchSize(8).verbose(0));
            var stats = CUDA.stats();
            assertTrue(stats.hostReads() <= 6 && stats.synchronizations() <= 6, "3 epochs of 50 steps: " + stats);
        }
    }

    @Test
    void aBadIndexOnTheDeviceIsReportedAtTheNextReadAndOnlyOnce() {
        Tensor x = Tensor.uniform(new int[] {5, 3}, -1, 1, 1).to(CUDA);
        Tensor picked = x.indexSelect(Tensor.of(CUDA, new int[] {0, 9, 1}, 3)); // no host read here
        Tensor sum = picked.sum();
        var e = assertThrows(dev.isthmus.nn.tensor.IndexOutOfRangeException.class, sum::item);
        assertTrue(e.getMessage().contains("indexSelect") && e.getMessage().contains("index 9 at position 1")
                && e.getMessage().contains("[0, 5)"), e.getMessage());
        assertEquals(x.sum().item(), x.sum().item(), "the backend carries on after the report");
        var p = assertThrows(dev.isthmus.nn.tensor.IndexOutOfRangeException.class,
                () -> x.pick(Tensor.of(CUDA, new long[] {0, 1, 2, 3, -1}, 5)).toArray());
        assertTrue(p.getMessage().contains("pick") && p.getMessage().contains("index -1 at position 4"), p.getMessage());
    }

    @Test
    void dropoutMasksAreTheCpusBitForBit() {
        Tensor cpu = Tensor.empty(Device.CPU, 1000);
        Tensor gpu = Tensor.empty(CUDA, 1000);
        Backends.cpu().random(cpu, dev.isthmus.nn.backend.Backend.Distribution.BERNOULLI, 0.3f, 0f, 99);
        backend().random(gpu, dev.isthmus.nn.backend.Backend.Distribution.BERNOULLI, 0.3f, 0f, 99);
        org.junit.jupiter.api.Assertions.assertArrayEquals(cpu.toArray(), gpu.toArray());
    }
}
