package dev.isthmus.nn.optim;

import dev.isthmus.nn.autograd.GradMode;
import dev.isthmus.nn.backend.Backend;
import dev.isthmus.nn.backend.DeviceCell;
import dev.isthmus.nn.backend.StepValues;
import dev.isthmus.nn.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Adam with Keras defaults (lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7) and Keras's update:
 * {@code w -= lr·sqrt(1-β2ᵗ)/(1-β1ᵗ) · m / (sqrt(v) + ε)}. Moment buffers live with the
 * parameters they belong to (same owner scope).
 */
public final class Adam extends SlotOptimizer {
    private final float learningRate;
    private final float beta1;
    private final float beta2;
    private final float epsilon;

    public Adam() {
        this(0.001f);
    }

    public Adam(float learningRate) {
        this(learningRate, 0.9f, 0.999f, 1e-7f);
    }

    public Adam(float learningRate, float beta1, float beta2, float epsilon) {
        if (!(learningRate > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)) {
            throw new IllegalArgumentException("Adam needs lr > 0, 0 <= beta1, beta2 < 1, epsilon > 0; got lr="
                    + learningRate + " beta1=" + beta1 + " beta2=" + beta2 + " epsilon=" + epsilon);
        }
        super("m", "v");
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    @Override
    public void step(List<Tensor> parameters) {
        // In a replayable step the bias correction comes from a device cell the host fills (and
        // the step count advances) before each step; otherwise it goes to the kernel by value.
        StepValues values = StepValues.current();
        DeviceCell alpha = values == null ? null
                : values.float32("adam alpha", () -> Backend.adamAlpha(learningRate, beta1, beta2, ++iterations));
        if (values == null) {
            iterations++;
        }
        try (var ignored = GradMode.noGrad()) {
            // One pass per device: on CUDA every parameter is updated by a single kernel launch.
            Map<dev.isthmus.nn.tensor.Device, List<Tensor[]>> byDevice = new java.util.LinkedHashMap<>();
            for (Tensor p : parameters) {
                Tensor g = p.grad();
                if (g == null) {
                    continue;
                }
                Tensor[] mv = slots(p);
                byDevice.computeIfAbsent(p.device(), d -> new java.util.ArrayList<>()).add(new Tensor[] {p, g, mv[0], mv[1]});
            }
            byDevice.forEach((device, groups) -> {
                if (alpha == null) {
                    groups.get(0)[0].backend().adamUpdateAll(groups, learningRate, beta1, beta2, epsilon, iterations);
                } else {
                    groups.get(0)[0].backend().adamUpdateAll(groups, alpha, beta1, beta2, epsilon);
                }
                for (Tensor[] g : groups) {
                    g[0].markWrittenInPlace();
                    g[2].markWrittenInPlace();
                    g[3].markWrittenInPlace();
                }
            });
        }
    }

    @Override
    public float learningRate() {
        return learningRate;
    }

    @Override
    public String toString() {
        return "Adam(lr=" + learningRate + ", beta1=" + beta1 + ", beta2=" + beta2 + ", epsilon=" + epsilon + ")";
    }
}
