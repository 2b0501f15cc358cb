package dev.isthmus.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.nn.layers.Dense;
import dev.isthmus.nn.losses.Losses;
import dev.isthmus.nn.model.Sequential;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.optim.Optimizer;
import dev.isthmus.nn.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LearningRateChangeTest {

    @Test
    void theNewOptimizerRunsAtTheNewRateFromTheOldOnesMomentsAndStepCount() {
        try (Sequential m = new Sequential(new Dense(1)).seed(5).build(2)) {
            Optimizer old = new Adam(0.01f);
            for (int step = 0; step < 3; step++) {
                Tensor l = Losses.mse().compute(Tensor.of(new float[] {1, 2}, 2, 1),
                        m.forward(Tensor.of(new float[] {1, 0, 0, 1}, 2, 2), true));
                old.zeroGrad(m.parameters());
                l.backward();
                old.step(m.parameters());
            }
            Optimizer next = LearningRateChange.to(0.002f, Adam::new, old, m);
            assertEquals(0.002f, next.learningRate());
            assertEquals(3, next.iterations());
            Map<String, Tensor> before = old.state(m.namedParameters());
            Map<String, Tensor> after = next.state(m.namedParameters());
            assertEquals(before.keySet(), after.keySet());
            before.forEach((k, v) -> assertArrayEquals(v.toArray(), after.get(k).toArray(), k));
        }
    }
}
