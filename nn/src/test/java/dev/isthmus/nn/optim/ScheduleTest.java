package dev.isthmus.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isthmus.nn.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Learning-rate schedules against the formulas of keras.optimizers.schedules, and their use by optimizers. */
class ScheduleTest {

    @Test
    void exponentialDecayIsInitialTimesRateToTheStepFraction() {
        var smooth = new ExponentialDecay(0.1f, 10, 0.5f);
        assertEquals(0.1f, smooth.at(0), 0f);
        assertEquals(0.1 * Math.pow(0.5, 0.5), smooth.at(5), 1e-8);
        assertEquals(0.025f, smooth.at(20), 1e-9f);
        var stairs = new ExponentialDecay(0.1f, 10, 0.5f, true);
        assertEquals(0.1f, stairs.at(9), 0f);
        assertEquals(0.05f, stairs.at(15), 1e-9f);
    }

    @Test
    void piecewiseConstantDecayHoldsEachValueUpToAndIncludingItsBoundary() {
        var s = new PiecewiseConstantDecay(new long[] {10, 20}, new float[] {1f, 0.5f, 0.1f});
        assertEquals(1f, s.at(0));
        assertEquals(1f, s.at(10));
        assertEquals(0.5f, s.at(11));
        assertEquals(0.5f, s.at(20));
        assertEquals(0.1f, s.at(21));
        assertEquals(0.1f, s.at(1_000_000));
        assertThrows(IllegalArgumentException.class, () -> new PiecewiseConstantDecay(new long[] {10}, new float[] {1f}));
    }

    @Test
    void cosineDecayFollowsKerasWithAndWithoutAlphaAndStopsAtTheEnd() {
        var plain = new CosineDecay(0.1f, 100);
        assertEquals(0.1f, plain.at(0), 1e-9f);
        assertEquals(0.05f, plain.at(50), 1e-8f);
        assertEquals(0.1 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), plain.at(25), 1e-8);
        assertEquals(0f, plain.at(100), 1e-9f);
        assertEquals(0f, plain.at(300), 1e-9f, "min(step, decaySteps)");
        var floor = new CosineDecay(0.1f, 100, 0.1f);
        assertEquals(0.1 * (0.9 * 0.5 + 0.1), floor.at(50), 1e-8);
        assertEquals(0.01f, floor.at(100), 1e-8f);
    }

    @Test
    void cosineDecayWarmsUpLinearlyToTheTargetThenDecaysFromIt() {
        var s = new CosineDecay(0f, 100, 0f, 0.1f, 10);
        assertEquals(0f, s.at(0), 0f);
        assertEquals(0.05f, s.at(5), 1e-8f);
        assertEquals(0.1f, s.at(10), 1e-8f);
        assertEquals(0.05f, s.at(60), 1e-8f);
        assertEquals(0f, s.at(110), 1e-8f);
        assertEquals(0f, s.at(500), 1e-8f);
    }

    private static Tensor paramWithGrad(float value, float grad) {
        Tensor p = Tensor.of(new float[] {value}, 1).requiresGrad(true);
        p.mul(Tensor.of(new float[] {grad}, 1)).sum().backward();
        return p;
    }

    @Test
    void anOptimizerEvaluatesItsScheduleAtTheUpdatesMadeSoFar() {
        Tensor p = paramWithGrad(1f, 1f);
        SGD sgd = new SGD(new ExponentialDecay(1f, 1, 0.5f));
        assertEquals(1f, sgd.learningRate());
        for (int i = 0; i < 3; i++) {
            sgd.step(List.of(p));
        }
        // steps at rates 1, 0.5, 0.25 (Keras: the rate of update t+1 is schedule(iterations = t))
        assertArrayEquals(new float[] {1f - 1.75f}, p.toArray(), 1e-7f);
        assertEquals(0.125f, sgd.learningRate());
        var e = assertThrows(IllegalStateException.class, () -> sgd.setLearningRate(0.1f));
        assertEquals(true, e.getMessage().contains("schedule"), e.getMessage());
    }

    @Test
    void aSetLearningRateTakesEffectAtTheNextUpdate() {
        for (Optimizer o : List.<Optimizer>of(new SGD(0.1f), new Adam(0.1f), new AdamW(0.1f), new RMSprop(0.1f))) {
            assertEquals(0.1f, o.learningRate(), o.toString());
            o.setLearningRate(0.02f);
            assertEquals(0.02f, o.learningRate(), o.toString());
        }
        Tensor p = paramWithGrad(1f, 2f);
        SGD sgd = new SGD(0.1f);
        sgd.step(List.of(p));
        sgd.setLearningRate(0.2f);
        sgd.step(List.of(p));
        assertArrayEquals(new float[] {1f - 0.2f - 0.4f}, p.toArray(), 1e-7f);
        assertThrows(IllegalArgumentException.class, () -> sgd.setLearningRate(0f));
    }
}
