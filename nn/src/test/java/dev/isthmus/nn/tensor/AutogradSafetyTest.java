package dev.isthmus.nn.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.autograd.AutogradException;
import dev.isthmus.nn.optim.Adam;
import dev.isthmus.nn.optim.Optimizer;
import dev.isthmus.nn.optim.SGD;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PyTorch's guarantees: no silent double backward, no backward through tensors written in place. */
class AutogradSafetyTest {
    @Test
    void aSecondBackwardThroughAFreedGraphIsRefusedAndLeavesTheGradient() {
        Tensor w = Tensor.of(new float[] {3f}).requiresGrad(true);
        Tensor l = w.mul(w);
        l.backward();
        assertArrayEquals(new float[] {6f}, w.grad().toArray());
        var e = assertThrows(AutogradException.class, l::backward);
        assertTrue(e.getMessage().contains("'mul'") && e.getMessage().contains("retainGraph"), e.getMessage());
        assertArrayEquals(new float[] {6f}, w.grad().toArray(), "a refused backward adds nothing");
    }

    @Test
    void aRetainedGraphGoesBackwardTwiceAndAccumulates() {
        Tensor w = Tensor.of(new float[] {3f}).requiresGrad(true);
        Tensor l = w.mul(w);
        l.backward(true);
        l.backward();
        assertArrayEquals(new float[] {12f}, w.grad().toArray());
        assertThrows(AutogradException.class, l::backward);
    }

    @Test
    void anInPlaceWriteToASavedTensorIsRefusedNamingTheOp() {
        Tensor w = Tensor.of(new float[] {1f, 2f}).requiresGrad(true);
        Tensor l = w.mul(w).sum();
        w.fillInPlace(10f);
        var e = assertThrows(AutogradException.class, l::backward);
        assertTrue(e.getMessage().contains("'mul'") && e.getMessage().contains("[2]")
                && e.getMessage().contains("written in place"), e.getMessage());
        assertTrue(w.grad() == null, "nothing was accumulated");
    }

    @Test
    void writesThroughAViewCountForTheTensorItViews() {
        Tensor w = Tensor.of(new float[] {1f, 2f}).requiresGrad(true);
        Tensor l = w.mul(w).sum();
        w.detach().reshape(2, 1).addInPlace(Tensor.ones(2, 1));
        assertThrows(AutogradException.class, l::backward);
    }

    @Test
    void writingAnOutputAfterItWasRecordedIsRefused() {
        Tensor w = Tensor.of(new float[] {1f, 2f}).requiresGrad(true);
        Tensor y = w.exp();
        Tensor l = y.sum();
        y.detach().mulInPlace(2f);
        var e = assertThrows(AutogradException.class, l::backward);
        assertTrue(e.getMessage().contains("'exp'"), e.getMessage());
    }

    @Test
    void optimizerStepsAfterBackwardStayLegalButStaleGraphsAreRefused() {
        for (Optimizer optimizer : List.<Optimizer>of(new SGD(0.1f), new Adam(0.1f))) {
            Tensor w = Tensor.of(new float[] {1f, 2f}).requiresGrad(true);
            Tensor l = w.mul(w).sum();
            Tensor stale = w.mul(w).sum();
            l.backward();
            optimizer.step(List.of(w));
            Tensor fresh = w.mul(w).sum();
            fresh.backward();
            assertThrows(AutogradException.class, stale::backward, optimizer + " moved w after stale was recorded");
        }
    }

    @Test
    void anUnchangedGraphBacksPropagateAsBefore() {
        Tensor w = Tensor.of(new float[] {1f, 2f}).requiresGrad(true);
        w.mul(w).sum().backward();
        assertArrayEquals(new float[] {2f, 4f}, w.grad().toArray());
    }
}
