package dev.isthmus.nn.optim;

import dev.isthmus.nn.autograd.GradMode;
import dev.isthmus.nn.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with optional (Nesterov) momentum, Keras's formulation:
 * {@code v = momentum·v - lr·g}; {@code w += v}, or with Nesterov {@code w += momentum·v - lr·g}.
 */
public final class SGD implements Optimizer {
    private final float learningRate;
    private final float momentum;
    private final boolean nesterov;
    private final Map<Tensor, Tensor> velocities = new IdentityHashMap<>();
    private long iterations;

    public SGD(float learningRate) {
        this(learningRate, 0f, false);
    }

    public SGD(float learningRate, float momentum, boolean nesterov) {
        if (!(learningRate > 0) || !(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("SGD needs lr > 0 and 0 <= momentum < 1; got lr=" + learningRate
                    + " momentum=" + momentum);
        }
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    @Override
    public void step(List<Tensor> parameters) {
        iterations++;
        try (var ignored = GradMode.noGrad()) {
            for (Tensor p : parameters) {
                Tensor g = p.grad();
                if (g == null) {
                    continue;
                }
                Tensor step = g.mul(learningRate);
                if (momentum == 0f) {
                    p.subInPlace(step);
                    continue;
                }
                Tensor v = velocities.computeIfAbsent(p, k -> Tensor.zeros(k.storage().owner(), k.device(), k.shape()));
                v.mulInPlace(momentum).subInPlace(step);
                if (nesterov) {
                    p.addInPlace(v.mul(momentum)).subInPlace(step);
                } else {
                    p.addInPlace(v);
                }
            }
        }
    }

    @Override
    public long iterations() {
        return iterations;
    }

    @Override
    public Map<String, Tensor> state(Map<String, Tensor> parameters) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        parameters.forEach((name, p) -> {
            Tensor v = velocities.get(p);
            if (v != null) {
                out.put(name + ".velocity", v);
            }
        });
        return out;
    }

    @Override
    public void restore(Map<String, Tensor> parameters, Map<String, Tensor> state, long iterations) {
        parameters.forEach((name, p) -> {
            Tensor v = state.get(name + ".velocity");
            if (v != null) {
                velocities.put(p, Tensor.zeros(p.storage().owner(), p.device(), p.shape()).copyFrom(v));
            }
        });
        this.iterations = iterations;
    }

    @Override
    public float learningRate() {
        return learningRate;
    }

    @Override
    public String toString() {
        return "SGD(lr=" + learningRate + ", momentum=" + momentum + ", nesterov=" + nesterov + ")";
    }
}
