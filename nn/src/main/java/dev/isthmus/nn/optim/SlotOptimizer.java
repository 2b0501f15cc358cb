package dev.isthmus.nn.optim;

import dev.isthmus.nn.autograd.GradMode;
import dev.isthmus.nn.backend.DeviceCell;
import dev.isthmus.nn.backend.StepValues;
import dev.isthmus.nn.tensor.Device;
import dev.isthmus.nn.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part every optimizer here shares: a learning rate (fixed and settable, or a
 * {@link LearningRateSchedule} of the step count), Keras's gradient clipping options, the step
 * count, and named tensors per parameter (Adam's "m" and "v", SGD's "velocity"), made on first use
 * beside the parameter (same owner scope, same device) and saved as "name.slot" in checkpoints.
 *
 * <p>A parameter that does not require gradients (a frozen layer's) is neither updated nor given
 * state, even if it holds a gradient from before it was frozen.
 *
 * <p>Each update's rate is computed on the host. In a replayable step ({@link StepValues}) it
 * reaches the device through a step-value cell the host fills before each step, so a captured
 * step (a CUDA graph) replays with the rate of the step it replays, schedule or not.
 *
 * @param <O> the optimizer's own type, which the clipping setters return
 */
public abstract class SlotOptimizer<O extends SlotOptimizer<O>> implements Optimizer {
    private final String[] slotNames;
    private final Map<Tensor, Tensor[]> slots = new IdentityHashMap<>();
    private final LearningRateSchedule schedule;
    private float learningRate;
    private float clipValue = Float.NaN;
    private float clipNorm = Float.NaN;
    private float globalClipNorm = Float.NaN;
    /** The rate of the update in progress, set by {@link #advance()}. */
    float stepRate;
    long iterations;

    SlotOptimizer(float learningRate, LearningRateSchedule schedule, String... slotNames) {
        if (schedule == null && !(learningRate > 0)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " needs a learning rate > 0, got " + learningRate);
        }
        this.learningRate = learningRate;
        this.schedule = schedule;
        this.slotNames = slotNames;
    }

    // ---------------------------------------------------------------- learning rate

    /** The rate of the next update: the fixed rate, or the schedule at the number of updates made. */
    @Override
    public final float learningRate() {
        return schedule == null ? learningRate : schedule.at(iterations);
    }

    /**
     * Sets the rate of the updates from the next one on (as Keras's
     * {@code optimizer.learning_rate = x}); refused when the rate comes from a schedule.
     */
    @Override
    public final void setLearningRate(float rate) {
        if (schedule != null) {
            throw new IllegalStateException(this + " takes its learning rate from a schedule, so it cannot be set;"
                    + " make the optimizer with a fixed rate to set it");
        }
        if (!(rate > 0)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + rate);
        }
        learningRate = rate;
    }

    /** The schedule the rate comes from, or null for a fixed rate. */
    @Override
    public final LearningRateSchedule schedule() {
        return schedule;
    }

    /** Starts an update: its rate, at the step count before it, and one more step counted. */
    final float advance() {
        stepRate = learningRate();
        iterations++;
        return stepRate;
    }

    /**
     * Starts an update ({@link #advance()}) and gives its rate as a rank-0 tensor on {@code device}:
     * filled by value when eager, copied from a step-value cell in a replayable step.
     */
    final Tensor advanceToTensor(Device device) {
        StepValues values = StepValues.current();
        if (values == null) {
            return Tensor.full(device, advance());
        }
        DeviceCell cell = values.float32("learning rate", this::advance);
        Tensor rate = Tensor.empty(device);
        rate.backend().copyCell(cell, rate);
        return rate;
    }

    // ---------------------------------------------------------------- clipping

    /** Clips every gradient element to [-value, value] before the update (Keras's {@code clipvalue}). */
    public final O clipValue(float value) {
        requirePositive("clipValue", value);
        clipValue = value;
        return self();
    }

    /**
     * Rescales each gradient tensor whose L2 norm exceeds {@code norm} to that norm (Keras's
     * {@code clipnorm}: {@code g · norm / max(‖g‖, norm)}).
     */
    public final O clipNorm(float norm) {
        requirePositive("clipNorm", norm);
        clipNorm = norm;
        return self();
    }

    /**
     * Rescales all gradients together when their global L2 norm exceeds {@code norm} (Keras's
     * {@code global_clipnorm}, {@code clip_by_global_norm}: each {@code g · norm / max(‖all‖, norm)}).
     */
    public final O globalClipNorm(float norm) {
        requirePositive("globalClipNorm", norm);
        globalClipNorm = norm;
        return self();
    }

    private void requirePositive(String option, float value) {
        if (!(value > 0)) {
            throw new IllegalArgumentException(option + " must be > 0, got " + value);
        }
        int set = (Float.isNaN(clipValue) ? 0 : 1) + (Float.isNaN(clipNorm) ? 0 : 1) + (Float.isNaN(globalClipNorm) ? 0 : 1);
        if (set > 0) {
            throw new IllegalStateException("only one of clipValue, clipNorm and globalClipNorm can be set (as in Keras);"
                    + " " + this + " has one already");
        }
    }

    @SuppressWarnings("unchecked")
    private O self() {
        return (O) this;
    }

    /** The gradients of {@code params} after clipping: device ops only, no host read. */
    private List<Tensor> clippedGradients(List<Tensor> params) {
        List<Tensor> grads = new ArrayList<>(params.size());
        for (Tensor p : params) {
            grads.add(p.grad());
        }
        if (!Float.isNaN(clipNorm)) {
            grads.replaceAll(g -> g.mul(scale(g.square().sum().sqrt(), clipNorm)));
        } else if (!Float.isNaN(globalClipNorm) && !grads.isEmpty()) {
            Tensor squares = null;
            for (Tensor g : grads) {
                Tensor s = g.square().sum();
                squares = squares == null ? s : squares.add(s);
            }
            Tensor scale = scale(squares.sqrt(), globalClipNorm);
            grads.replaceAll(g -> g.mul(scale));
        } else if (!Float.isNaN(clipValue)) {
            grads.replaceAll(g -> g.clamp(-clipValue, clipValue));
        }
        return grads;
    }

    /** {@code limit / max(norm, limit)}: 1 for a norm within the limit. */
    private static Tensor scale(Tensor norm, float limit) {
        return Tensor.full(norm.device(), limit).div(norm.clamp(limit, Float.MAX_VALUE));
    }

    // ---------------------------------------------------------------- updates

    /** One update of every parameter that requires and has a gradient. */
    @Override
    public final void step(List<Tensor> parameters) {
        List<Tensor> params = new ArrayList<>(parameters.size());
        for (Tensor p : parameters) {
            if (p.requiresGrad() && p.grad() != null) {
                params.add(p);
            }
        }
        try (var ignored = GradMode.noGrad()) {
            update(params, clippedGradients(params));
        }
    }

    /**
     * Updates {@code params} in place from {@code grads} (same order, already clipped); starts the
     * update with {@link #advance()} or {@link #advanceToTensor} exactly once, even with no
     * parameters, so the step count and the step values stay in step.
     */
    abstract void update(List<Tensor> params, List<Tensor> grads);

    /** Adam's fused update of {@code params}, by value ({@code rate}, the step count) or from the cell {@code alpha}. */
    final void adamUpdate(List<Tensor> params, List<Tensor> grads, float rate, DeviceCell alpha, float b1, float b2, float eps) {
        // One pass per device: on CUDA every parameter is updated by a single kernel launch.
        Map<Device, List<Tensor[]>> byDevice = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            Tensor[] mv = slots(p);
            byDevice.computeIfAbsent(p.device(), d -> new ArrayList<>()).add(new Tensor[] {p, grads.get(i), mv[0], mv[1]});
        }
        byDevice.forEach((device, groups) -> {
            for (Tensor[] g : groups) {
                g[0].beforeWriteInPlace();
                g[2].beforeWriteInPlace();
                g[3].beforeWriteInPlace();
            }
            if (alpha == null) {
                groups.get(0)[0].backend().adamUpdateAll(groups, rate, b1, b2, eps, iterations);
            } else {
                groups.get(0)[0].backend().adamUpdateAll(groups, alpha, b1, b2, eps);
            }
            for (Tensor[] g : groups) {
                g[0].markWrittenInPlace();
                g[2].markWrittenInPlace();
                g[3].markWrittenInPlace();
            }
        });
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

    /** The device of the parameters, or the CPU when there are none. */
    static Device deviceOf(List<Tensor> params) {
        return params.isEmpty() ? Device.CPU : params.getFirst().device();
    }

    @Override
    public final long iterations() {
        return iterations;
    }

    /** Slots of the parameters given that require gradients (a frozen layer's weights have none). */
    @Override
    public final Map<String, Tensor> state(Map<String, Tensor> parameters) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        parameters.forEach((name, p) -> {
            Tensor[] s = slots.get(p);
            if (s != null && p.requiresGrad()) {
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

    /** "lr=0.001" or "lr=ExponentialDecay[...]", then the clipping option set, for toString. */
    final String rateAndClipping() {
        String s = "lr=" + (schedule == null ? Float.toString(learningRate) : schedule.toString());
        if (!Float.isNaN(clipValue)) {
            s += ", clipValue=" + clipValue;
        } else if (!Float.isNaN(clipNorm)) {
            s += ", clipNorm=" + clipNorm;
        } else if (!Float.isNaN(globalClipNorm)) {
            s += ", globalClipNorm=" + globalClipNorm;
        }
        return s;
    }
}
