package dev.isthmus.bench.torch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.isthmus.bench.Workloads;
import dev.isthmus.nn.model.Model;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One sample workload in PyTorch, as {@code Suites.Trainer} runs it in Isthmus: the same model,
 * with the same initial weights (copied from the Isthmus model built with the same seed), the
 * same batch of inputs and labels, and Adam with Isthmus's settings (lr 1e-3, β 0.9 / 0.999,
 * ε 1e-7, ε outside the bias correction as in Keras).
 */
final class TorchTrainer implements AutoCloseable {
    private static final float LEARNING_RATE = 1e-3f;
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-7f;

    final String name;
    final long isthmusParameters;
    final TorchNet model;
    private final NDManager manager;
    private final NDArray x;
    private final NDArray y;
    private final List<NDArray> means = new ArrayList<>();
    private final List<NDArray> variances = new ArrayList<>();
    private int iterations;

    TorchTrainer(String name, int batch) {
        this.name = name;
        this.manager = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");
        Tensor inputs = Workloads.inputs(name, batch, Device.CPU);
        Tensor labels = Workloads.labels(name, batch, Device.CPU);
        if (name.equals("gpt")) {
            try (Model ours = Workloads.network(name, 1, 1)) {
                isthmusParameters = ours.parameters().stream().mapToLong(Tensor::numel).sum();
                model = new TorchGpt(ours, manager);
            }
        } else {
            try (Sequential ours = Workloads.model(name, 1).seed(1)) {
                ours.build(Arrays.copyOfRange(inputs.shape(), 1, inputs.rank()));
                isthmusParameters = ours.parameters().stream().mapToLong(Tensor::numel).sum();
                model = new TorchModel(ours, !name.equals("mlp"), manager);
            }
        }
        x = input(manager, inputs);
        y = labels.dtype().isFloatingPoint() ? TorchModel.copy(manager, labels) : ids(manager, labels);
        for (NDArray p : model.parameters()) {
            means.add(p.zerosLike());
            variances.add(p.zerosLike());
        }
    }

    /** Forward, loss, backward and one Adam step; returns the loss before the update. */
    float step() {
        try (NDScope ignored = new NDScope()) {
            NDArray loss;
            try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                loss = model.loss(x, y, true);
                collector.backward(loss);
            }
            update();
            return loss.getFloat();
        }
    }

    /** The loss on the batch without dropout and without a step. */
    float evaluate() {
        try (NDScope ignored = new NDScope()) {
            return model.loss(x, y, false).getFloat();
        }
    }

    private void update() {
        iterations++;
        float corrected = (float) (LEARNING_RATE * Math.sqrt(1 - Math.pow(BETA2, iterations)) / (1 - Math.pow(BETA1, iterations)));
        List<NDArray> parameters = model.parameters();
        for (int i = 0; i < parameters.size(); i++) {
            NDArray p = parameters.get(i);
            p.getNDArrayInternal().adamUpdate(new NDList(p, p.getGradient(), means.get(i), variances.get(i)), new NDList(p),
                    LEARNING_RATE, corrected, 0f, 1f, -1f, BETA1, BETA2, EPSILON, true, false);
            JniUtils.zeroGrad((PtNDArray) p);
        }
    }

    /** Images go NHWC in Isthmus and NCHW in PyTorch; token ids become int64. */
    private static NDArray input(NDManager manager, Tensor t) {
        if (!t.dtype().isFloatingPoint()) {
            return ids(manager, t);
        }
        return t.rank() == 4 ? TorchModel.copy(manager, t, 0, 3, 1, 2) : TorchModel.copy(manager, t);
    }

    private static NDArray ids(NDManager manager, Tensor t) {
        int[] v = t.toIntArray();
        long[] ids = new long[v.length];
        long[] shape = new long[t.rank()];
        for (int i = 0; i < v.length; i++) {
            ids[i] = v[i];
        }
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.shape()[i];
        }
        return manager.create(ids, new Shape(shape));
    }

    @Override
    public void close() {
        manager.close();
    }
}
