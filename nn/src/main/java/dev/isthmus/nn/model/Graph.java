package dev.isthmus.nn.model;

import dev.isthmus.nn.layers.SymbolicTensor;
import dev.isthmus.nn.layers.Layer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The layer calls between a model's inputs and outputs in topological order (each call after
 * the calls it takes tensors from), the distinct layers in the order of their first call, their
 * Keras-style names ("dense", "dense_1") and each call's index among its layer's calls.
 */
record Graph(List<SymbolicTensor> nodes, List<Layer> layers, List<String> names, Map<SymbolicTensor, Integer> nodeIndex) {

    static Graph of(List<SymbolicTensor> inputs, List<SymbolicTensor> outputs) {
        if (inputs.isEmpty() || outputs.isEmpty()) {
            throw new IllegalArgumentException("a model needs at least one input and one output");
        }
        Set<SymbolicTensor> given = Collections.newSetFromMap(new IdentityHashMap<>());
        for (SymbolicTensor in : inputs) {
            if (!in.isInput()) {
                throw new IllegalArgumentException("model inputs must come from Input.of, got " + in);
            }
            if (!given.add(in)) {
                throw new IllegalArgumentException("an input is given twice: " + in);
            }
        }
        List<SymbolicTensor> order = new ArrayList<>();
        Set<SymbolicTensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (SymbolicTensor out : outputs) {
            visit(out, given, seen, order);
        }
        List<Layer> layers = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Map<SymbolicTensor, Integer> nodeIndex = new IdentityHashMap<>();
        Map<Layer, Integer> calls = new IdentityHashMap<>();
        for (SymbolicTensor node : order) {
            Layer l = node.layer();
            if (!calls.containsKey(l)) {
                layers.add(l);
                names.add(uniqueName(names, snake(l.typeName())));
            }
            int k = calls.merge(l, 1, Integer::sum) - 1;
            nodeIndex.put(node, k);
        }
        return new Graph(List.copyOf(order), List.copyOf(layers), List.copyOf(names), nodeIndex);
    }

    /** Depth first from an output, iteratively (a deep chain must not overflow the stack). */
    private static void visit(SymbolicTensor root, Set<SymbolicTensor> inputs, Set<SymbolicTensor> seen, List<SymbolicTensor> order) {
        record Frame(SymbolicTensor t, int next) {
        }
        List<Frame> stack = new ArrayList<>();
        stack.add(new Frame(root, 0));
        while (!stack.isEmpty()) {
            Frame f = stack.removeLast();
            SymbolicTensor t = f.t();
            if (f.next() == 0 && seen.contains(t)) {
                continue;
            }
            if (t.isInput()) {
                if (!inputs.contains(t)) {
                    throw new IllegalArgumentException("graph disconnected: an output depends on " + t
                            + ", which is not among the model's inputs");
                }
                seen.add(t);
                continue;
            }
            if (f.next() < t.inbound().size()) {
                stack.add(new Frame(t, f.next() + 1));
                SymbolicTensor in = t.inbound().get(f.next());
                if (!seen.contains(in)) {
                    stack.add(new Frame(in, 0));
                }
            } else if (seen.add(t)) {
                order.add(t);
            }
        }
    }

    static String uniqueName(List<String> taken, String base) {
        long same = taken.stream().filter(n -> n.equals(base) || n.startsWith(base + "_")).count();
        return same == 0 ? base : base + "_" + same;
    }

    static String snake(String type) {
        return type.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
