package dev.isthmus.nn.tensor;

import dev.isthmus.nn.autograd.GradMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The tape walk: reverse topological order from the root, summing gradients per tensor. */
final class Backprop {
    private Backprop() {
    }

    static void run(Tensor root, Tensor seed) {
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        try (var ignored = GradMode.noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = grads.remove(t);
                if (g == null) {
                    continue;
                }
                if (t.isLeaf()) {
                    t.accumulateGrad(g);
                    continue;
                }
                List<Tensor> inputs = t.gradFn().inputs();
                Tensor[] gi = t.gradFn().backward().apply(g);
                for (int j = 0; j < inputs.size(); j++) {
                    Tensor in = inputs.get(j);
                    if (gi[j] == null || !in.requiresGrad()) {
                        continue;
                    }
                    if (!Arrays.equals(gi[j].shape(), in.shape())) {
                        throw new IllegalStateException("backward of '" + t.gradFn().op() + "' gave a gradient of shape "
                                + Shapes.str(gi[j].shape()) + " for an input of shape " + Shapes.str(in.shape()));
                    }
                    grads.merge(in, gi[j], Tensor::add);
                }
            }
        }
    }

    /** Tensors that require grad and lead to {@code root}, each after all of its inputs. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.add(root);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            List<Tensor> inputs = t.isLeaf() ? List.of() : t.gradFn().inputs();
            if (next < inputs.size()) {
                frame[1] = next + 1;
                Tensor in = inputs.get(next);
                if (in.requiresGrad() && visited.add(in)) {
                    stack.push(new Object[] {in, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
