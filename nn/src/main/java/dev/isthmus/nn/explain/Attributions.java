package dev.isthmus.nn.explain;

import dev.isthmus.nn.layers.Layer;
import dev.isthmus.nn.model.Model;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.Scope;
import dev.isthmus.nn.tensor.Tensor;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Which parts of an input a model's output depends on: gradient saliency and integrated gradients
 * (Sundararajan et al., 2017) for any differentiable model and output, and per-token attributions
 * of sequence models through their embedding.
 *
 * <p>Every method explains output {@code target} (a class, or 0 for a single output) of each sample
 * of a batch, runs the model in inference mode (no dropout), and returns a new tensor owned by the
 * current scope. The model's weights are untouched; their gradients are zeroed afterwards (the
 * backward passes accumulate into them on the way), so do not call these between a training step's
 * backward and its optimizer step.
 */
public final class Attributions {
    private Attributions() {
    }

    /**
     * Gradient saliency: d output[i, target] / d x[i] for every sample i of {@code x}, signed, x's
     * shape (take its absolute value for a heatmap).
     */
    public static Tensor saliency(Model model, Tensor x, int target) {
        return gradient(model.parameters(), in -> model.forward(in, false), x, target);
    }

    /**
     * Integrated gradients: (x - baseline) times the mean gradient along the straight path from
     * {@code baseline} (null: zeros) to {@code x}, by the midpoint rule over {@code steps} points.
     * The attributions of a sample add up to output(x) - output(baseline), to the path integral's
     * discretisation error (completeness).
     * @throws IllegalArgumentException if steps is below 1 or the baseline's shape is not x's
     */
    public static Tensor integratedGradients(Model model, Tensor x, Tensor baseline, int target, int steps) {
        return integrated(model.parameters(), in -> model.forward(in, false), x, baseline, target, steps);
    }

    /**
     * Integrated gradients of a sequence model per token: the path runs from the all-zero embedding
     * to the tokens' embeddings (through {@code model}'s first layer, an Embedding or a
     * TokenAndPositionEmbedding, whose mask still applies), and each token's attribution is the sum
     * of its embedding's. Returns [batch, time] for ids [batch, time].
     * @throws IllegalArgumentException if the model does not start with an embedding
     */
    public static Tensor tokenAttributions(Sequential model, Tensor ids, int target, int steps) {
        List<Layer> layers = model.layers();
        if (layers.isEmpty() || !(layers.getFirst().typeName().equals("Embedding")
                || layers.getFirst().typeName().equals("TokenAndPositionEmbedding"))) {
            throw new IllegalArgumentException("tokenAttributions needs a model whose first layer is an embedding; "
                    + "this one starts with " + (layers.isEmpty() ? "nothing" : layers.getFirst().typeName()));
        }
        float[] values;
        int[] shape;
        try (Scope ignored = Scope.open("token attributions")) {
            Layer embedding = layers.getFirst();
            Tensor e = embedding.call(List.of(ids), java.util.Collections.singletonList(null), false).detach();
            Tensor mask = embedding.outputMask(List.of(ids), java.util.Collections.singletonList(null));
            UnaryOperator<Tensor> rest = h -> {
                Tensor m = mask;
                for (Layer layer : layers.subList(1, layers.size())) {
                    List<Tensor> in = List.of(h);
                    List<Tensor> masks = java.util.Collections.singletonList(m);
                    Tensor next = layer.call(in, masks, false);
                    m = layer.outputMask(in, masks);
                    h = next;
                }
                return h;
            };
            Tensor perDim = integrated(model.parameters(), rest, e, null, target, steps);
            Tensor perToken = perDim.sum(-1);
            values = perToken.toArray();
            shape = perToken.shape();
        }
        return Tensor.of(values, shape);
    }

    private static Tensor integrated(List<Tensor> parameters, UnaryOperator<Tensor> f, Tensor x, Tensor baseline,
                                     int target, int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("integrated gradients need at least 1 step, got " + steps);
        }
        if (baseline != null && !java.util.Arrays.equals(baseline.shape(), x.shape())) {
            throw dev.isthmus.nn.tensor.ShapeMismatchException.of("integratedGradients", x.shape(), baseline.shape(),
                    "differ: the baseline needs the input's shape");
        }
        float[] values;
        try (Scope ignored = Scope.open("integrated gradients")) {
            Tensor base = baseline == null ? Tensor.zerosLike(x) : baseline;
            Tensor delta = x.sub(base).detach();
            // the gradients summed on the device, read back once
            Tensor total = null;
            for (int k = 0; k < steps; k++) {
                float alpha = (k + 0.5f) / steps;
                Tensor g = gradientAt(f, base.add(delta.mul(alpha)).detach(), target);
                total = total == null ? g : total.add(g);
            }
            values = total.mul(1f / steps).mul(delta).toArray();
        } finally {
            zeroGradients(parameters);
        }
        return Tensor.of(values, x.shape());
    }

    /** d f(x)[:, target] summed over the batch / d x (each sample's own gradient: samples do not mix in inference). */
    private static Tensor gradient(List<Tensor> parameters, UnaryOperator<Tensor> f, Tensor x, int target) {
        float[] values;
        try (Scope ignored = Scope.open("saliency")) {
            values = gradientAt(f, x.detach().copy(), target).toArray();
        } finally {
            zeroGradients(parameters);
        }
        return Tensor.of(values, x.shape());
    }

    /** The gradient at {@code point} (a leaf of the current scope, made to require it), in the current scope. */
    private static Tensor gradientAt(UnaryOperator<Tensor> f, Tensor point, int target) {
        Tensor in = point.requiresGrad(true);
        Tensor out = f.apply(in);
        int last = out.rank() - 1;
        if (target < 0 || target >= out.size(last)) {
            throw new IllegalArgumentException("output " + target + " does not exist: the model gives "
                    + out.size(last) + " per sample");
        }
        out.slice(last, target, target + 1).sum().backward();
        return in.grad();
    }

    /** The backward passes accumulated into the model's weights too: zeroed once at the end. */
    private static void zeroGradients(List<Tensor> parameters) {
        for (Tensor p : parameters) {
            if (p.grad() != null) {
                p.zeroGrad();
            }
        }
    }
}
