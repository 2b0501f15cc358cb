package dev.isthmus.nn.optim;

import dev.isthmus.nn.autograd.GradMode;
import dev.isthmus.nn.tensor.Tensor;
import java.util.List;

/**
 * Stochastic gradient descent with optional (Nesterov) momentum, Keras's formulation:
 * {@code v = momentum·v - lr·g}; {@code w += v}, or with Nesterov {@code w += momentum·v - lr·g}.
 */
public final class SGD extends SlotOptimizer {
    private final float learningRate;
    private final float momentum;
    private final boolean nesterov;

    public SGD(float learningRate) {
        this(learningRate, 0f, false);
    }

    public SGD(float learningRate, float momentum, boolean nesterov) {
        if (!(learningRate > 0) || !(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("SGD needs lr > 0 and 0 <= momentum < 1; got lr=" + learningRate
                    + " momentum=" + momentum);
        }
        super("velocity");
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
                Tensor v = slots(p)[0];
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
    public float learningRate() {
        return learningRate;
    }

    @Override
    public String toString() {
        return "SGD(lr=" + learningRate + ", momentum=" + momentum + ", nesterov=" + nesterov + ")";
    }
}
