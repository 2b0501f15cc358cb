package dev.isthmus.bench;

import dev.isthmus.cuda.Precision;
import dev.isthmus.nn.backend.Backends;
import dev.isthmus.nn.backend.cuda.CudaBackend;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Tensor;
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

import java.util.concurrent.TimeUnit;

/**
 * JMH suites of single operations, each on every device named in {@code device} (the runner,
 * {@link Bench}, passes the devices present). Scores are milliseconds per operation, the device
 * synchronised at the end of each, so GPU figures are completed work.
 */
public final class OpSuites {
    private OpSuites() {
    }

    /** The run settings every suite shares (JMH's annotations are inherited). */
    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 3, time = 1)
    public abstract static class Timed {
    }

    /** A suite measured on each device named in {@code device}. */
    public abstract static class OnDevice extends Timed {
        @Param({"cpu"})
        public String device;
    }

    /** Square C = A·B through the backend: CPU SGEMM, or cuBLAS in fp32, TF32 or BF16. */
    public static class Gemm extends Timed {
        @Param({"1024"})
        public int size;

        /** cpu, cuda-fp32, cuda-tf32 or cuda-bf16. */
        @Param({"cpu"})
        public String config;

        private Device device;
        private Tensor a;
        private Tensor b;
        private Tensor c;

        @Setup(Level.Trial)
        public void setUp() {
            device = config.equals("cpu") ? Device.CPU : Device.cuda(0);
            if (device.kind() == Device.Kind.CUDA) {
                ((CudaBackend) Backends.of(device)).setPrecision(
                        Precision.parse(config.substring(5)));
            }
            a = Tensor.uniform(new int[] {size, size}, -1, 1, 1).to(device);
            b = Tensor.uniform(new int[] {size, size}, -1, 1, 2).to(device);
            c = Tensor.zeros(null, device, size, size);
        }

        @Benchmark
        public void gemm() {
            Backends.of(device).gemm(false, false, size, size, size, 1f, a, 0, b, 0, 0f, c, 0, 1);
            Suites.finish(device);
        }
    }

    /**
     * The sample models' own products, where the square ones say little: the recommender's Dense
     * input gradient (dY·Wᵀ, 64×64 from a depth of 9,000), its forward (64×9000 from 64), the
     * Transformer's per-head attention products (256 of 64×64 from 16 and of 64×16 from 64, one
     * batched call each) and its feed-forward product (4096×256 from 64).
     */
    public static class ModelGemm extends OnDevice {
        @Param({"dense-dx", "dense-forward", "attention-scores", "attention-values", "ffn"})
        public String shape;

        private Device on;
        private boolean transB;
        private int m;
        private int n;
        private int k;
        private int batch;
        private Tensor a;
        private Tensor b;
        private Tensor c;

        /** {transB, m, n, k, batch} of each shape. */
        static int[] dims(String shape) {
            return switch (shape) {
                case "dense-dx" -> new int[] {1, 64, 64, 9000, 1};
                case "dense-forward" -> new int[] {0, 64, 9000, 64, 1};
                case "attention-scores" -> new int[] {1, 64, 64, 16, 256};
                case "attention-values" -> new int[] {0, 64, 16, 64, 256};
                case "ffn" -> new int[] {0, 4096, 256, 64, 1};
                default -> throw new IllegalArgumentException("unknown shape " + shape);
            };
        }

        /** The label of a shape: op(B) transposed or not, m×n×k and the batch. */
        static String label(String shape) {
            int[] d = dims(shape);
            return (d[0] == 1 ? "A·Bᵀ " : "A·B ") + d[1] + "x" + d[2] + "x" + d[3] + (d[4] > 1 ? " ×" + d[4] : "");
        }

        /** Multiply-adds times two, in GFLOP. */
        static double gflop(String shape) {
            int[] d = dims(shape);
            return 2.0 * d[1] * d[2] * d[3] * d[4] / 1e9;
        }

        @Setup(Level.Trial)
        public void setUp() {
            on = Suites.device(device);
            int[] d = dims(shape);
            transB = d[0] == 1;
            m = d[1];
            n = d[2];
            k = d[3];
            batch = d[4];
            a = Tensor.uniform(new int[] {batch, m, k}, -1, 1, 1).to(on);
            b = Tensor.uniform(transB ? new int[] {batch, n, k} : new int[] {batch, k, n}, -1, 1, 2).to(on);
            c = Tensor.zeros(null, on, batch, m, n);
        }

        @Benchmark
        public void gemm() {
            Backends.of(on).gemm(false, transB, m, n, k, 1f, a, (long) m * k, b, (long) n * k, 0f, c, (long) m * n,
                    batch);
            Suites.finish(on);
        }
    }

    /** Conv2D forward, backward-data + backward-filter, at the image sample's, a ResNet-like and the speech sample's shape. */
    public static class Conv extends OnDevice {
        @Param({"image", "resnet"})
        public String shape;

        @Param({"forward", "backward"})
        public String pass;

        private Suites.Convolution c;
        private Device target;

        @Setup(Level.Trial)
        public void setUp() {
            target = Suites.device(device);
            c = new Suites.Convolution(shape, target);
        }

        @Benchmark
        public void conv() {
            if (pass.equals("forward")) {
                c.backend.conv2d(c.x, c.kernel, c.window, c.out);
            } else {
                c.backend.conv2dBackwardData(c.out, c.kernel, c.window, c.gx);
                c.backend.conv2dBackwardFilter(c.x, c.out, c.window, c.gk);
            }
            Suites.finish(target);
        }
    }

    /** The LSTM primitive over a whole sequence at the text, recommender and speech shapes. */
    public static class Lstm extends OnDevice {
        @Param({"text", "recommend", "speech"})
        public String shape;

        @Param({"forward", "backward"})
        public String pass;

        private Suites.Recurrence r;
        private Device target;

        @Setup(Level.Trial)
        public void setUp() {
            target = Suites.device(device);
            r = new Suites.Recurrence(shape, target);
        }

        @Benchmark
        public void lstm() {
            if (pass.equals("forward")) {
                r.forward();
            } else {
                r.backward();
            }
            Suites.finish(target);
        }
    }

    /** Sparse softmax cross-entropy from logits, forward and backward (the classifiers' loss). */
    public static class SoftmaxCrossEntropy extends OnDevice {
        @Param({"image", "recommend"})
        public String shape;

        private Tensor logits;
        private Tensor labels;
        private Device target;

        @Setup(Level.Trial)
        public void setUp() {
            target = Suites.device(device);
            Tensor[] t = Suites.logitsAndLabels(shape, target);
            logits = t[0].requiresGrad(true);
            labels = t[1];
        }

        @Benchmark
        public void crossEntropy() {
            try (dev.isthmus.nn.tensor.Scope ignored = dev.isthmus.nn.tensor.Scope.open()) {
                logits.zeroGrad();
                Suites.CROSS_ENTROPY.compute(labels, logits).backward();
            }
            Suites.finish(target);
        }
    }

    /** One Adam step over every parameter of the image or the recommender model. */
    public static class AdamUpdate extends OnDevice {
        @Param({"image", "recommend"})
        public String model;

        private Suites.Trainer trainer;

        @Setup(Level.Trial)
        public void setUp() {
            trainer = new Suites.Trainer(model, 32, 1, Suites.device(device));
            trainer.step(); // gradients and moments exist from here on
        }

        @Benchmark
        public void adam() {
            trainer.optimizer.step(trainer.model.parameters());
            Suites.finish(trainer.device);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            trainer.close();
        }
    }

    /**
     * One full training step (forward, loss, backward, Adam) of a sample model at a batch size and
     * width. Each step is timed on its own and the runner reports the median, as the PyTorch
     * reference does; the warm-up is long because the JIT needs seconds to compile a model's
     * kernels on two cores (a 0.5 s warm-up measured the text model at 15× its warm step time).
     */
    @BenchmarkMode(Mode.SampleTime)
    @Warmup(iterations = 5, time = 1)
    public static class TrainingStep extends OnDevice {
        @Param({"mlp", "text", "image", "recommend", "speech", "gpt"})
        public String model;

        @Param({"32", "64", "256"})
        public int batch;

        @Param({"1"})
        public double width;

        private Suites.Trainer trainer;

        @Setup(Level.Trial)
        public void setUp() {
            trainer = new Suites.Trainer(model, batch, width, Suites.device(device));
        }

        @Benchmark
        public void step() {
            trainer.step();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            trainer.close();
        }
    }
}
