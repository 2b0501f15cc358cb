package dev.isthmus.nn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Add;
import dev.isthmus.nn.layers.Concatenate;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Embedding;
import dev.isthmus.nn.layers.Input;
import dev.isthmus.nn.layers.LSTM;
import dev.isthmus.nn.layers.SymbolicTensor;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;
import dev.isthmus.nn.testkit.GradientCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunctionalModelTest {
    @TempDir
    Path dir;

    private static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return Tensor.of(v, shape);
    }

    @Test
    void aFunctionalChainTrainsBitForBitAsTheSequentialOfTheSameLayers() {
        try (Scope s = Scope.open("test")) {
            Tensor x = random(1, 40, 5);
            Tensor y = random(2, 40, 1);
            try (Sequential seq = new Sequential(new Dense(8, Activation.RELU), new Dense(1)).seed(7)) {
                SymbolicTensor in = Input.of(5);
                SymbolicTensor out = new Dense(1).apply(new Dense(8, Activation.RELU).apply(in));
                try (Model fun = new Model("model", List.of(in), List.of(out), 7)) {
                    seq.compile(new Adam(0.01f), Losses.mse());
                    fun.compile(new Adam(0.01f), Losses.mse());
                    History a = seq.fit(x, y, Fit.epochs(3).batchSize(8).verbose(0));
                    History b = fun.fit(x, y, Fit.epochs(3).batchSize(8).verbose(0));
                    assertEquals(a.history(), b.history());
                    List<Tensor> pa = seq.parameters();
                    List<Tensor> pb = fun.parameters();
                    assertEquals(pa.size(), pb.size());
                    for (int i = 0; i < pa.size(); i++) {
                        assertArrayEquals(pa.get(i).toArray(), pb.get(i).toArray());
                    }
                    assertEquals(seq.namedParameters().keySet(), fun.namedParameters().keySet());
                }
            }
        }
    }

    @Test
    void masksFlowAlongTheGraphAsInASequential() {
        try (Scope s = Scope.open("test")) {
            Tensor tokens = Tensor.of(new int[] {1, 2, 3, 0, 0, 4, 5, 0, 0, 0}, 2, 5);
            try (Sequential seq = new Sequential(new Embedding(10, 4, true), new LSTM(3, false, false)).seed(3)) {
                SymbolicTensor in = Input.of(DType.INT32, 5);
                SymbolicTensor out = new LSTM(3, false, false).apply(new Embedding(10, 4, true).apply(in));
                try (Model fun = new Model("model", List.of(in), List.of(out), 3)) {
                    assertArrayEquals(seq.predict(tokens).toArray(), fun.predict(tokens).toArray());
                }
            }
        }
    }

    @Test
    void aResidualBlockTrainsAndItsGradientMatchesFiniteDifferences() {
        try (Scope s = Scope.open("test")) {
            SymbolicTensor in = Input.of(4);
            SymbolicTensor h = new Dense(4, Activation.TANH).apply(in);
            SymbolicTensor out = new Dense(1).apply(new Add().apply(in, h));
            try (Model model = new Model(in, out)) {
                GradientCheck.standard().check("residual block", l -> model.forward(l.getFirst(), false), random(3, 3, 4));
                Tensor x = random(4, 64, 4);
                Tensor y = x.sum(new int[] {1}, true);
                model.compile(new Adam(0.02f), Losses.mse());
                History hist = model.fit(x, y, Fit.epochs(20).batchSize(16).verbose(0));
                List<Double> loss = hist.history().get("loss");
                assertTrue(loss.getLast() < loss.getFirst() / 4, "loss " + loss);
            }
        }
    }

    @Test
    void aTwoInputModelTrainsAndPredicts() {
        try (Scope s = Scope.open("test")) {
            SymbolicTensor a = Input.of(3);
            SymbolicTensor b = Input.of(2);
            SymbolicTensor joined = new Concatenate().apply(new Dense(4, Activation.RELU).apply(a), new Dense(4, Activation.RELU).apply(b));
            SymbolicTensor out = new Dense(1).apply(joined);
            try (Model model = new Model(List.of(a, b), List.of(out))) {
                Tensor xa = random(5, 64, 3);
                Tensor xb = random(6, 64, 2);
                Tensor y = xa.sum(new int[] {1}, true).sub(xb.sum(new int[] {1}, true));
                model.compile(new Adam(0.02f), Losses.mse());
                List<Double> loss = model.fit(List.of(xa, xb), List.of(y), Fit.epochs(20).batchSize(16).verbose(0)).history().get("loss");
                assertTrue(loss.getLast() < loss.getFirst() / 2, "loss " + loss);
                List<Tensor> pred = model.predict(List.of(xa, xb), 10);
                assertEquals(1, pred.size());
                assertArrayEquals(new int[] {64, 1}, pred.getFirst().shape());
                assertArrayEquals(model.forward(List.of(xa, xb), false).getFirst().toArray(), pred.getFirst().toArray(), 1e-6f);
            }
        }
    }

    @Test
    void twoOutputsLogALossEachAndMinimiseTheirWeightedSum() {
        try (Scope s = Scope.open("test")) {
            SymbolicTensor in = Input.of(3);
            SymbolicTensor h = new Dense(8, Activation.RELU).apply(in);
            SymbolicTensor first = new Dense(1).apply(h);
            SymbolicTensor second = new Dense(2).apply(h);
            try (Model model = new Model(List.of(in), List.of(first, second))) {
                Tensor x = random(7, 32, 3);
                model.compile(new Adam(0.01f), List.of(Losses.mse(), Losses.mae()), new float[] {1f, 0.5f});
                Map<String, Double> logs = model.evaluate(List.of(x), List.of(random(8, 32, 1), random(9, 32, 2)), 8);
                assertEquals(List.of("loss", "dense_1_loss", "dense_2_loss"), List.copyOf(logs.keySet()));
                assertEquals(logs.get("dense_1_loss") + 0.5 * logs.get("dense_2_loss"), logs.get("loss"), 1e-5);
                History hist = model.fit(List.of(x), List.of(random(8, 32, 1), random(9, 32, 2)), Fit.epochs(2).verbose(0));
                assertTrue(hist.history().containsKey("dense_2_loss"));
            }
        }
    }

    @Test
    void aSharedLayerIsOneParameterSetWhoseGradientIsTheSumOfBothUses() {
        try (Scope s = Scope.open("test")) {
            Dense shared = new Dense(2, Activation.LINEAR);
            SymbolicTensor a = Input.of(3);
            SymbolicTensor b = Input.of(3);
            SymbolicTensor out = new Add().apply(shared.apply(a), shared.apply(b));
            try (Model model = new Model(List.of(a, b), List.of(out))) {
                assertEquals(List.of("0.kernel", "0.bias"), List.copyOf(model.namedParameters().keySet()));
                Tensor xa = random(10, 4, 3);
                Tensor xb = random(11, 4, 3);
                model.forward(List.of(xa, xb), true).getFirst().sum().backward();
                // d sum(xa K + xb K + 2 bias) / dK[i][j] = sum over the batch of xa[:, i] + xb[:, i]
                float[] colSums = xa.add(xb).sum(0).toArray();
                float[] kernelGrad = model.namedParameters().get("0.kernel").grad().toArray();
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 2; j++) {
                        assertEquals(colSums[i], kernelGrad[i * 2 + j], 1e-5f);
                    }
                }
                assertArrayEquals(new float[] {8f, 8f}, model.namedParameters().get("0.bias").grad().toArray(), 1e-6f);
            }
        }
    }

    @Test
    void saveThenLoadPredictsIdentically() throws Exception {
        try (Scope s = Scope.open("test")) {
            Dense shared = new Dense(3, Activation.RELU);
            SymbolicTensor a = Input.of("left", DType.FLOAT32, 4);
            SymbolicTensor b = Input.of("right", DType.FLOAT32, 4);
            SymbolicTensor h = new Concatenate(-1).apply(shared.apply(a), shared.apply(b), a);
            SymbolicTensor out = new Dense(2).apply(new Add().apply(new Dense(10).apply(h), h));
            Path file = dir.resolve("functional.safetensors");
            Tensor xa = random(12, 5, 4);
            Tensor xb = random(13, 5, 4);
            try (Model model = new Model("two_towers", List.of(a, b), List.of(out), 5)) {
                model.save(file);
                try (Model loaded = Model.load(file)) {
                    assertEquals("two_towers", loaded.name());
                    assertEquals(model.summary(), loaded.summary());
                    assertArrayEquals(model.predict(List.of(xa, xb), 2).getFirst().toArray(),
                            loaded.predict(List.of(xa, xb), 2).getFirst().toArray());
                }
            }
            assertTrue(Files.size(file) > 0);
        }
    }

    @Test
    void theSummaryListsEachLayerWithTheLayersItIsConnectedTo() {
        try (Scope s = Scope.open("test")) {
            SymbolicTensor in = Input.of(4);
            SymbolicTensor h = new Dense(4).apply(in);
            SymbolicTensor out = new Add().apply(in, h);
            try (Model model = new Model(in, out)) {
                String summary = model.summary();
                assertTrue(summary.contains("Connected to"), summary);
                assertTrue(summary.contains("input_layer (InputLayer)"), summary);
                String addRow = summary.lines().filter(l -> l.contains("(Add)")).findFirst().orElseThrow();
                assertTrue(addRow.endsWith("input_layer[0][0], dense[0][0]"), addRow);
                String denseRow = summary.lines().filter(l -> l.contains("(Dense)")).findFirst().orElseThrow();
                assertTrue(denseRow.contains("20") && denseRow.endsWith("input_layer[0][0]"), denseRow);
            }
        }
    }

    @Test
    void aGraphWhoseOutputNeedsAnInputNotGivenIsRefused() {
        SymbolicTensor a = Input.of(2);
        SymbolicTensor b = Input.of(2);
        SymbolicTensor out = new Add().apply(a, b);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Model(a, out));
        assertTrue(e.getMessage().contains("disconnected"), e.getMessage());
    }
}
