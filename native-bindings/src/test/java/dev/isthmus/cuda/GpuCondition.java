package dev.isthmus.cuda;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Enables {@link RequiresGpu} tests only when a CUDA device is usable, and says why not otherwise. */
public final class GpuCondition implements ExecutionCondition {
    private static ConditionEvaluationResult result;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return evaluate();
    }

    private static synchronized ConditionEvaluationResult evaluate() {
        if (result == null) {
            result = check();
        }
        return result;
    }

    private static ConditionEvaluationResult check() {
        CudaLibraries libraries = CudaLibraries.system();
        if (!libraries.isLoaded(CudaLibrary.DRIVER)) {
            return ConditionEvaluationResult.disabled("GPU test skipped: no CUDA driver ("
                    + libraries.status(CudaLibrary.DRIVER).attempts().size() + " places searched; run dev.isthmus.cuda.CudaReport for the list)");
        }
        try {
            int count = CudaDevice.count();
            return count > 0 ? ConditionEvaluationResult.enabled(count + " CUDA device(s)")
                    : ConditionEvaluationResult.disabled("GPU test skipped: the CUDA driver loaded but sees no device");
        } catch (RuntimeException e) {
            return ConditionEvaluationResult.disabled("GPU test skipped: " + e.getMessage());
        }
    }
}
