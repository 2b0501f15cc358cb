package dev.isthmus.nn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.cuda.RequiresGpu;
import dev.isthmus.nn.backend.Backends;
import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Add;
import dev.isthmus.nn.layers.AveragePooling1D;
import dev.isthmus.nn.layers.AveragePooling2D;
import dev.isthmus.nn.layers.BatchNormalization;
import dev.isthmus.nn.layers.Bidirectional;
import dev.isthmus.nn.layers.Conv1D;
import dev.isthmus.nn.layers.Conv2D;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Flatten;
import dev.isthmus.nn.layers.GRU;
import dev.isthmus.nn.layers.GlobalMaxPooling1D;
import dev.isthmus.nn.layers.GlobalMaxPooling2D;
import dev.isthmus.nn.layers.Input;
import dev.isthmus.nn.layers.LSTM;
import dev.isthmus.nn.layers.LayerNormalization;
import dev.isthmus.nn.layers.MaxPooling1D;
import dev.isthmus.nn.layers.MultiHeadAttention;
import dev.isthmus.nn.layers.Permute;
import dev.isthmus.nn.layers.RepeatVector;
import dev.isthmus.nn.layers.Reshape;
import dev.isthmus.nn.layers.SimpleRNN;
import dev.isthmus.nn.layers.SymbolicTensor;
import dev.isthmus.nn.layers.TimeDistributed;
import dev.isthmus.nn.layers.TokenAndPositionEmbedding;
import dev.isthmus.nn.layers.ZeroPadding2D;
import dev.isthmus.nn.losses.Loss;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.model.Fit;
import dev.isthmus.nn.model.History;
import dev.isthmus.nn.model.Model;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layers issue 16 added, which the CUDA backend runs as compositions of its existing ops: each
 * in a small model, saved on the CPU, predicts and trains three epochs on CUDA as on the CPU.
 */
@RequiresGpu
class CudaNewLayersTest {
    private static final Device CUDA = Device.cuda(0);

    @TempDir
    Path dir;

    @AfterEach
    void backToCpu() {
        Backends.setDefaultDevice("cpu");
    }

    private record Workload(String name, Supplier<Model> model, Loss loss, Tensor x, Tensor y) {
    }

    private static Tensor integers(long seed, int bound, int... shape) {
        float[] v = Tensor.uniform(shape, 0f, bound, seed).toArray();
        int[] ids = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            ids[i] = (int) Math.floor(v[i]);
        }
        return Tensor.of(ids, shape);
    }

    private static Model gpt() {
        SymbolicTensor in = Input.of(32);
        TokenAndPositionEmbedding e = new TokenAndPositionEmbedding(60, 32, 32);
        SymbolicTensor h = e.apply(in);
        h = new Add().apply(h, new MultiHeadAttention(4, 8, true).apply(new LayerNormalization().apply(h)));
        h = new Add().apply(h, new Dense(32).apply(new Dense(64, Activation.RELU).apply(new LayerNormalization().apply(h))));
        return new Model("gpt", List.of(in), List.of(e.apply(new LayerNormalization().apply(h))), 3);
    }

    private static List<Workload> workloads() {
        Tensor seq = Tensor.uniform(new int[] {32, 24, 6}, -1, 1, 1);
        Tensor img = Tensor.uniform(new int[] {16, 12, 12, 4}, 0, 1, 2);
        return List.of(
                new Workload("norms", () -> new Sequential(new Dense(64), new BatchNormalization(), new LayerNormalization(),
                        new Dense(1)).seed(1), Losses.mse(), Tensor.uniform(new int[] {64, 10}, -1, 1, 3),
                        Tensor.uniform(new int[] {64, 1}, -1, 1, 4)),
                new Workload("conv1d and pooling over time", () -> new Sequential(new Conv1D(8, 3, 1, "same", Activation.RELU, true),
                        new MaxPooling1D(2), new AveragePooling1D(3, 1, "same"), new GlobalMaxPooling1D(),
                        new Dense(3, Activation.SOFTMAX)).seed(2), Losses.sparseCategoricalCrossentropy(), seq,
                        integers(5, 3, 32)),
                new Workload("recurrent", () -> new Sequential(new GRU(12, true), new SimpleRNN(8, Activation.TANH, true, true),
                        new Bidirectional(new LSTM(6)), new Dense(3, Activation.SOFTMAX)).seed(3),
                        Losses.sparseCategoricalCrossentropy(), seq, integers(6, 3, 32)),
                new Workload("dilated grouped conv and padding", () -> new Sequential(new ZeroPadding2D(1, 1, 2, 0),
                        new Conv2D(8, new int[] {3, 3}, new int[] {1, 1}, "same", Activation.RELU, true).dilationRate(2, 2).groups(2),
                        new AveragePooling2D(2), new GlobalMaxPooling2D(), new Dense(4, Activation.SOFTMAX)).seed(4),
                        Losses.sparseCategoricalCrossentropy(), img, integers(7, 4, 16)),
                new Workload("reshapes", () -> new Sequential(new Reshape(6, 24), new Permute(2, 1),
                        new TimeDistributed(new Dense(5, Activation.TANH)), new Flatten(), new Dense(7), new RepeatVector(3),
                        new Flatten(), new Dense(1)).seed(5), Losses.mse(), seq, Tensor.uniform(new int[] {32, 1}, -1, 1, 8)),
                new Workload("gpt", CudaNewLayersTest::gpt, Losses.sparseCategoricalCrossentropy(true),
                        integers(9, 60, 32, 32), integers(10, 60, 32, 32)));
    }

    private History train(Workload w, Path weights, Device device, float[][] prediction) {
        Backends.setDefaultDevice(device.toString());
        try (Model model = Model.load(weights)) {
            prediction[0] = model.predict(List.of(w.x().to(device)), 16).getFirst().toArray();
            model.compile(new Adam(0.005f), w.loss());
            return model.fit(w.x().to(device), w.y().to(device), Fit.epochs(3).batchSize(16).seed(1).verbose(0));
        }
    }

    @Test
    void eachNewLayerPredictsAndTrainsOnCudaAsOnTheCpu() {
        for (Workload w : workloads()) {
            Path weights = dir.resolve(w.name().replace(' ', '_') + ".safetensors");
            Backends.setDefaultDevice("cpu");
            try (Model model = w.model().get()) {
                if (model instanceof Sequential s) {
                    s.build(java.util.Arrays.copyOfRange(w.x().shape(), 1, w.x().rank()));
                }
                model.save(weights);
            }
            float[][] cpuPrediction = new float[1][];
            float[][] gpuPrediction = new float[1][];
            History cpu = train(w, weights, Device.CPU, cpuPrediction);
            History gpu = train(w, weights, CUDA, gpuPrediction);
            for (int i = 0; i < cpuPrediction[0].length; i++) {
                assertEquals(cpuPrediction[0][i], gpuPrediction[0][i], 1e-4 * Math.max(1, Math.abs(cpuPrediction[0][i])),
                        w.name() + " prediction " + i);
            }
            List<Double> a = cpu.get("loss");
            List<Double> b = gpu.get("loss");
            for (int e = 0; e < a.size(); e++) {
                assertEquals(a.get(e), b.get(e), 2e-3 * Math.max(1, Math.abs(a.get(e))), w.name() + " loss at epoch " + e);
            }
        }
    }
}
