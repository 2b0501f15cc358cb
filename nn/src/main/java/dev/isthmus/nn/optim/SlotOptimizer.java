package dev.isthmus.nn.optim;

import dev.isthmus.nn.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An optimizer that keeps named tensors per parameter (Adam's "m" and "v", SGD's "velocity"),
 * made on first use beside the parameter (same owner scope, same device), saved as
 * "name.slot" in checkpoints, and the count of steps taken.
 */
abstract class SlotOptimizer implements Optimizer {
    private final String[] slotNames;
    private final Map<Tensor, Tensor[]> slots = new IdentityHashMap<>();
    long iterations;

    SlotOptimizer(String... slotNames) {
        this.slotNames = slotNames;
    }

    /** The parameter's slots, in the order of the names given to the constructor; zero at first. */
    final Tensor[] slots(Tensor parameter) {
        return slots.computeIfAbsent(parameter, this::zerosLikeOwned);
    }

    private Tensor[] zerosLikeOwned(Tensor p) {
        Tensor[] t = new Tensor[slotNames.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = Tensor.zeros(p.storage().owner(), p.device(), p.shape());
        }
        return t;
    }

    @Override
    public final long iterations() {
        return iterations;
    }

    @Override
    public final Map<String, Tensor> state(Map<String, Tensor> parameters) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        parameters.forEach((name, p) -> {
            Tensor[] s = slots.get(p);
            if (s != null) {
                for (int i = 0; i < slotNames.length; i++) {
                    out.put(name + "." + slotNames[i], s[i]);
                }
            }
        });
        return out;
    }

    @Override
    public final void restore(Map<String, Tensor> parameters, Map<String, Tensor> state, long iterations) {
        parameters.forEach((name, p) -> {
            Tensor[] saved = new Tensor[slotNames.length];
            for (int i = 0; i < slotNames.length; i++) {
                saved[i] = state.get(name + "." + slotNames[i]);
                if (saved[i] == null) {
                    return;
                }
            }
            Tensor[] s = zerosLikeOwned(p);
            for (int i = 0; i < s.length; i++) {
                s[i].copyFrom(saved[i]);
            }
            slots.put(p, s);
        });
        this.iterations = iterations;
    }
}
