package dev.isthmus.nn.testkit;

import dev.isthmus.nn.backend.Backends;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Runs a differentiable function on the CPU and on another device with the same inputs and
 * compares the outputs and every input's gradient (a non-scalar output is projected to a scalar
 * with fixed random weights, as in {@link GradientCheck}). While the function runs on the other
 * device that device is the default, so tensors the function makes itself land there too.
 */
public final class BackendParity {
    private final double absTolerance;
    private final double relTolerance;

    private BackendParity(double absTolerance, double relTolerance) {
        this.absTolerance = absTolerance;
        this.relTolerance = relTolerance;
    }

    /** fp32 on both sides, different summation orders: 1e-4 absolute plus 1e-3 relative. */
    public static BackendParity standard() {
        return new BackendParity(1e-4, 1e-3);
    }

    public BackendParity withTolerance(double abs, double rel) {
        return new BackendParity(abs, rel);
    }

    public void check(String name, Device device, Function<List<Tensor>, Tensor> f, Tensor... cpuInputs) {
        List<float[]> expected = run(f, cpuInputs, Device.CPU);
        Device before = Backends.defaultDevice();
        List<float[]> actual;
        try {
            Backends.setDefaultDevice(device.toString());
            actual = run(f, cpuInputs, device);
        } finally {
            Backends.setDefaultDevice(before.toString());
        }
        for (int k = 0; k < expected.size(); k++) {
            String what = k == 0 ? "output" : "gradient of input " + (k - 1);
            assertClose(name + " on " + device + ": " + what, expected.get(k), actual.get(k));
        }
    }

    private static List<float[]> run(Function<List<Tensor>, Tensor> f, Tensor[] cpuInputs, Device device) {
        List<Tensor> in = new ArrayList<>();
        for (Tensor t : cpuInputs) {
            in.add(Tensor.of(device, t.toArray(), t.shape()).requiresGrad(true));
        }
        Tensor out = f.apply(in);
        float[] projection = new float[(int) out.numel()];
        for (int i = 0; i < projection.length; i++) {
            projection[i] = (float) Math.sin(0.7 * i + 0.3);
        }
        out.mul(Tensor.of(device, projection, out.shape())).sum().backward();
        List<float[]> results = new ArrayList<>();
        results.add(out.toArray());
        for (Tensor t : in) {
            results.add(t.grad() == null ? new float[(int) t.numel()] : t.grad().toArray());
        }
        return results;
    }

    public void assertClose(String what, float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": " + expected.length + " elements on the CPU, " + actual.length + " here");
        }
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            double tol = absTolerance + relTolerance * Math.abs(e);
            boolean bothNaN = Double.isNaN(e) && Double.isNaN(a);
            if (!bothNaN && !(Math.abs(e - a) <= tol)) {
                throw new AssertionError(what + " at flat index " + i + ": CPU " + e + " vs " + a + " (tolerance " + tol
                        + "); first values CPU " + Arrays.toString(Arrays.copyOf(expected, Math.min(6, expected.length))));
            }
        }
    }
}
