package dev.isthmus.bench;

import dev.isthmus.nn.backend.Backend;
import dev.isthmus.nn.backend.Backends;
import dev.isthmus.nn.backend.Window2d;
import dev.isthmus.nn.losses.Loss;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;

import java.util.List;

/** Set-up shared by the JMH suites: devices, synchronisation, one training step. */
final class Suites {
    private Suites() {
    }

    static Device device(String name) {
        return Workloads.device(name);
    }

    /** Waits for the device so that a timing covers the work, not just its enqueueing. */
    static void finish(Device device) {
        Backends.of(device).synchronize();
    }

    /** A built, compiled model with one batch of inputs, ready for {@link #step}. */
    static final class Trainer implements AutoCloseable {
        final dev.isthmus.nn.model.Model model;
        final Loss loss;
        final Adam optimizer = new Adam(1e-3f);
        final Tensor x;
        final Tensor y;
        final Device device;
        private final List<Tensor> parameters;

        Trainer(String name, int batch, double width, Device device) {
            Device before = Backends.defaultDevice();
            Backends.setDefaultDevice(device.toString());
            try {
                this.device = device;
                this.model = Workloads.network(name, width, 1);
                this.loss = Workloads.loss(name);
                this.x = Workloads.inputs(name, batch, device);
                this.y = Workloads.labels(name, batch, device);
                if (model instanceof Sequential s) {
                    s.build(java.util.Arrays.copyOfRange(x.shape(), 1, x.rank()));
                }
                this.parameters = model.parameters();
            } finally {
                Backends.setDefaultDevice(before.toString());
            }
        }

        /** Forward, loss, backward and one Adam step, as {@code fit} runs them, then waits for the device. */
        void step() {
            try (Scope ignored = Scope.open("bench step")) {
                Tensor l = loss.compute(y, model.forward(x, true));
                optimizer.zeroGrad(parameters);
                l.backward();
                optimizer.step(parameters);
            }
            finish(device);
        }

        @Override
        public void close() {
            model.close();
        }
    }

    /** Convolution operands and preallocated outputs for one shape. */
    static final class Convolution {
        final Backend backend;
        final Tensor x;
        final Tensor kernel;
        final Tensor out;
        final Tensor gx;
        final Tensor gk;
        final Window2d window;

        Convolution(String shape, Device device) {
            int[] xs;
            int[] ks;
            Window2d.Padding padding;
            switch (shape) {
                case "image" -> { xs = new int[] {64, 28, 28, 1}; ks = new int[] {3, 3, 1, 32}; padding = Window2d.Padding.VALID; }
                case "resnet" -> { xs = new int[] {8, 56, 56, 64}; ks = new int[] {3, 3, 64, 64}; padding = Window2d.Padding.SAME; }
                case "speech" -> { xs = new int[] {32, 49, 12, 16}; ks = new int[] {3, 3, 16, 32}; padding = Window2d.Padding.VALID; }
                default -> throw new IllegalArgumentException("unknown convolution shape " + shape);
            }
            backend = Backends.of(device);
            x = Tensor.uniform(xs, -1, 1, 1).to(device);
            kernel = Tensor.uniform(ks, -0.1f, 0.1f, 2).to(device);
            window = Window2d.of(xs[0], xs[1], xs[2], xs[3], ks[0], ks[1], 1, 1, padding);
            out = Tensor.zeros(null, device, xs[0], window.outHeight(), window.outWidth(), ks[3]);
            gx = Tensor.zeros(null, device, xs);
            gk = Tensor.zeros(null, device, ks);
        }
    }

    /** LSTM operands and preallocated outputs for one sample's shape: [n, t, d] → u units. */
    static final class Recurrence {
        final Backend backend;
        final Tensor x;
        final Tensor kernel;
        final Tensor recurrent;
        final Tensor bias;
        final Tensor hc;
        final Tensor gates;
        final Tensor gHc;
        final Tensor gx;
        final Tensor gKernel;
        final Tensor gRecurrent;
        final Tensor gBias;

        Recurrence(String shape, Device device) {
            int[] s = switch (shape) {
                case "text" -> new int[] {32, Workloads.TEXT_LENGTH, 32, 64};
                case "recommend" -> new int[] {256, Workloads.WINDOW, 64, 64};
                case "speech" -> new int[] {32, Workloads.FRAMES, Workloads.BANDS, 64};
                default -> throw new IllegalArgumentException("unknown LSTM shape " + shape);
            };
            int n = s[0], t = s[1], d = s[2], u = s[3];
            backend = Backends.of(device);
            x = Tensor.uniform(new int[] {n, t, d}, -1, 1, 1).to(device);
            kernel = Tensor.uniform(new int[] {d, 4 * u}, -0.1f, 0.1f, 2).to(device);
            recurrent = Tensor.uniform(new int[] {u, 4 * u}, -0.1f, 0.1f, 3).to(device);
            bias = Tensor.zeros(null, device, 4 * u);
            hc = Tensor.zeros(null, device, n, t, 2 * u);
            gates = Tensor.zeros(null, device, n, t, 4 * u);
            gHc = Tensor.uniform(new int[] {n, t, 2 * u}, -1, 1, 4).to(device);
            gx = Tensor.zeros(null, device, n, t, d);
            gKernel = Tensor.zeros(null, device, d, 4 * u);
            gRecurrent = Tensor.zeros(null, device, u, 4 * u);
            gBias = Tensor.zeros(null, device, 4 * u);
            forward();
        }

        void forward() {
            backend.lstmForward(x, null, kernel, recurrent, bias, hc, gates, true);
        }

        void backward() {
            backend.lstmBackward(x, null, kernel, recurrent, hc, gates, gHc, gx, gKernel, gRecurrent, gBias);
        }
    }

    /** Sparse softmax cross-entropy from logits: [n, classes]. */
    static Tensor[] logitsAndLabels(String shape, Device device) {
        int[] s = switch (shape) {
            case "image" -> new int[] {64, 10};
            case "recommend" -> new int[] {256, Workloads.ITEMS};
            default -> throw new IllegalArgumentException("unknown loss shape " + shape);
        };
        return new Tensor[] {Tensor.uniform(s, -3, 3, 1).to(device), Workloads.integers(2, s[1], device, s[0])};
    }

    static final Loss CROSS_ENTROPY = Losses.sparseCategoricalCrossentropy(true);
}
