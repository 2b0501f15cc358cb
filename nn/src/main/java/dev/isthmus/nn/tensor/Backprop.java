package dev.isthmus.nn.tensor;

import dev.isthmus.nn.autograd.AutogradException;
import dev.isthmus.nn.autograd.GradMode;
import dev.isthmus.nn.autograd.Node;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tape walk: reverse topological order from the root, summing gradients per tensor. Every node
 * on the way is checked before any gradient is computed, so a refused backward changes nothing.
 */
final class Backprop {
    private Backprop() {
    }

    static void run(Tensor root, Tensor seed, boolean retainGraph) {
        List<Tensor> order = topologicalOrder(root);
        for (Tensor t : order) {
            if (!t.isLeaf()) {
                checkUsable(t);
            }
        }
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
        if (!retainGraph) {
            for (Tensor t : order) {
                if (!t.isLeaf()) {
                    t.gradFn().release();
                }
            }
        }
    }

    /** Refuses a node freed by an earlier backward, or one whose saved tensors were written in place since. */
    private static void checkUsable(Tensor t) {
        Node node = t.gradFn();
        node.backward();
        if (t.storage().version() != node.outputVersion()) {
            throw modified(node, "its output", t, node.outputVersion());
        }
        List<Tensor> inputs = node.inputs();
        for (int i = 0; i < inputs.size(); i++) {
            Tensor in = inputs.get(i);
            if (in.storage().version() != node.inputVersion(i)) {
                throw modified(node, "input " + i, in, node.inputVersion(i));
            }
        }
    }

    private static AutogradException modified(Node node, String which, Tensor t, int recorded) {
        String kind = t.isLeaf() ? (t.requiresGrad() ? "a leaf that requires grad" : "a constant") : "made by '"
                + t.gradFn().op() + "'";
        return new AutogradException("backward(): " + which + " of '" + node.op() + "' (" + t.dtype() + " tensor of shape "
                + Shapes.str(t.shape()) + ", " + kind + ") was written in place after '" + node.op()
                + "' recorded it (version " + t.storage().version() + ", recorded at " + recorded
                + "), so its gradient would be wrong; compute the graph again after the write, or write into a copy");
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
