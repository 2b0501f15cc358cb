package dev.isthmus.nn.testkit;

import dev.isthmus.nn.autograd.GradMode;
import dev.isthmus.nn.backend.Backends;
import dev.isthmus.nn.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Compares autograd gradients with central finite differences. A non-scalar output is reduced
 * to a scalar by a fixed random projection so every output element contributes. Differences are
 * formed in double precision from float32 evaluations.
 */
public final class GradientCheck {
    private final double epsilon;
    private final double absTolerance;
    private final double relTolerance;

    private GradientCheck(double epsilon, double absTolerance, double relTolerance) {
        this.epsilon = epsilon;
        this.absTolerance = absTolerance;
        this.relTolerance = relTolerance;
    }

    public static GradientCheck standard() {
        return new GradientCheck(1e-2, 2e-3, 2e-2);
    }

    public GradientCheck withEpsilon(double e) {
        return new GradientCheck(e, absTolerance, relTolerance);
    }

    public GradientCheck withTolerance(double abs, double rel) {
        return new GradientCheck(epsilon, abs, rel);
    }

    /** Checks d f(inputs) / d input for every input; throws AssertionError naming the worst element. */
    public void check(String name, Function<List<Tensor>, Tensor> f, Tensor... inputs) {
        for (Tensor t : inputs) {
            t.requiresGrad(true);
            t.zeroGrad(); // a gradient left by earlier use of the same parameter must not count
        }
        List<Tensor> in = List.of(inputs);
        Tensor probe = f.apply(in);
        float[] projection = projection(probe);
        Tensor proj = Tensor.of(projection, probe.shape());
        Tensor out = probe.mul(proj).sum();
        out.backward();
        for (int k = 0; k < inputs.length; k++) {
            Tensor x = inputs[k];
            float[] analytic = x.grad() == null ? new float[(int) x.numel()] : x.grad().toArray();
            float[] values = x.toArray();
            for (int i = 0; i < values.length; i++) {
                float orig = values[i];
                values[i] = (float) (orig + epsilon);
                double plus = evaluate(f, in, x, values, projection);
                values[i] = (float) (orig - epsilon);
                double minus = evaluate(f, in, x, values, projection);
                values[i] = orig;
                Backends.cpu().copyFromHost(java.lang.foreign.MemorySegment.ofArray(values), x);
                double numeric = (plus - minus) / ((double) (float) (orig + epsilon) - (double) (float) (orig - epsilon));
                double a = analytic[i];
                double tol = absTolerance + relTolerance * Math.max(Math.abs(a), Math.abs(numeric));
                if (!(Math.abs(a - numeric) <= tol)) {
                    throw new AssertionError(name + ": gradient of input " + k + " " + Arrays.toString(x.shape())
                            + " at flat index " + i + ": autograd " + a + " vs finite difference " + numeric
                            + " (tolerance " + tol + ")");
                }
            }
        }
    }

    private static double evaluate(Function<List<Tensor>, Tensor> f, List<Tensor> in, Tensor x, float[] values,
                                   float[] projection) {
        Backends.cpu().copyFromHost(java.lang.foreign.MemorySegment.ofArray(values), x);
        try (var ignored = GradMode.noGrad()) {
            float[] y = f.apply(in).toArray();
            double s = 0;
            for (int j = 0; j < y.length; j++) {
                s += (double) y[j] * projection[j];
            }
            return s;
        }
    }

    private static float[] projection(Tensor probe) {
        int n = (int) probe.numel();
        if (n == 1) {
            return new float[] {1f};
        }
        return Tensor.uniform(probe.shape(), 0.5f, 1.5f, 12345).toArray();
    }
}
