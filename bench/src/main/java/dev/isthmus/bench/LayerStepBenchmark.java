package dev.isthmus.bench;

import dev.isthmus.nn.layers.Activation;
import dev.isthmus.nn.layers.Conv2D;
import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.layers.Flatten;
import dev.isthmus.nn.layers.LSTM;
import dev.isthmus.nn.layers.MaxPooling2D;
import dev.isthmus.nn.losses.Loss;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step (forward, loss, backward, Adam) on the CPU backend at the shapes of the image
 * and text samples: "conv2d" is Conv2D(32, 3×3, relu) on a 64×28×28×1 batch; "conv2d-cnn" the
 * image sample's whole CNN (conv, pool, flatten, dense 128, dense 10); "lstm" is LSTM(64) over 32
 * sequences of 20 steps of 32 features.
 * Run: {@code java -jar bench/target/benchmarks.jar LayerStepBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class LayerStepBenchmark {
    @Param({"conv2d", "conv2d-cnn", "lstm"})
    String workload;

    Sequential model;
    Adam adam;
    Loss loss;
    Tensor x;
    Tensor y;

    @Setup(Level.Trial)
    public void setup() {
        switch (workload) {
            case "conv2d" -> {
                model = new Sequential(new Conv2D(32, 3, Activation.RELU));
                x = Tensor.uniform(new int[] {64, 28, 28, 1}, 0f, 1f, 1);
                y = Tensor.uniform(new int[] {64, 26, 26, 32}, 0f, 1f, 2);
                loss = Losses.mse();
            }
            case "conv2d-cnn" -> {
                model = new Sequential(new Conv2D(32, 3, Activation.RELU), new MaxPooling2D(2), new Flatten(),
                        new Dense(128, Activation.RELU), new Dense(10, Activation.SOFTMAX));
                x = Tensor.uniform(new int[] {64, 28, 28, 1}, 0f, 1f, 1);
                y = labels(64, 10);
                loss = Losses.sparseCategoricalCrossentropy();
            }
            case "lstm" -> {
                model = new Sequential(new LSTM(64));
                x = Tensor.uniform(new int[] {32, 20, 32}, -1f, 1f, 1);
                y = Tensor.uniform(new int[] {32, 64}, -1f, 1f, 2);
                loss = Losses.mse();
            }
            default -> throw new IllegalArgumentException(workload);
        }
        adam = new Adam();
    }

    private static Tensor labels(int n, int classes) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = i % classes;
        }
        return Tensor.of(v, n);
    }

    @Benchmark
    public float trainStep() {
        try (dev.isthmus.nn.tensor.Scope ignored = dev.isthmus.nn.tensor.Scope.open()) {
            Tensor l = loss.compute(y, model.forward(x, true));
            adam.zeroGrad(model.parameters());
            l.backward();
            adam.step(model.parameters());
            return l.item();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }
}
