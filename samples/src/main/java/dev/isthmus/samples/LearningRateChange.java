package dev.isthmus.samples;

import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Optimizer;
import java.util.function.Function;

/**
 * A learning-rate change in mid-training. The library's optimizers have a fixed rate, so a new
 * one at the new rate takes over the old one's state (moments, step count), as if the old one had
 * changed its rate in place. The old state stays allocated with the model's parameters until the
 * model is closed, so schedules built on this change the rate a few times, not every step.
 */
public final class LearningRateChange {
    private LearningRateChange() {
    }

    /** An optimizer made by {@code make} at {@code rate}, carrying on from {@code from} for {@code model}'s parameters. */
    public static Optimizer to(float rate, Function<Float, Optimizer> make, Optimizer from, Sequential model) {
        Optimizer next = make.apply(rate);
        next.restore(model.namedParameters(), from.state(model.namedParameters()), from.iterations());
        return next;
    }
}
