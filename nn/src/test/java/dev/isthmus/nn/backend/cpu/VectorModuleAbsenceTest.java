package dev.isthmus.nn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.nn.backend.Backends;
import org.junit.jupiter.api.Test;

/**
 * Runs twice under Maven: with {@code --add-modules jdk.incubator.vector} and without it (the
 * {@code without-vector-module} Surefire execution), where the plain loops must take over.
 */
class VectorModuleAbsenceTest {

    @Test
    void gemmPathFollowsWhetherTheVectorModuleIsPresent() {
        boolean present = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        boolean disabled = "false".equals(System.getProperty("isthmus.cpu.vector"));
        assertEquals(present && !disabled, Sgemm.vectorized(), Sgemm.describe());
        assertTrue(Backends.cpu().describe().contains(present && !disabled ? "vector" : "plain"), Backends.cpu().describe());
    }
}
