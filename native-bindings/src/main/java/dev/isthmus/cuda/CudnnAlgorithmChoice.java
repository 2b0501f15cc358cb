package dev.isthmus.cuda;

import dev.isthmus.cuda.cudnn.Cudnn;
import dev.isthmus.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which of the results of a {@code cudnnFind*Algorithm} call to run: the fastest that succeeded
 * with a math type the {@link Precision} allows, preferring the math type it asks for. cuDNN
 * decides from the algorithm and the math type together whether tensor cores run, so the
 * chosen result's math type must be set on the convolution descriptor before every call.
 */
final class CudnnAlgorithmChoice {
    private CudnnAlgorithmChoice() {
    }

    /** One perf result: algorithm, status, milliseconds, workspace bytes, math type. */
    record Result(int algo, int status, float time, long memory, int mathType) {
    }

    /**
     * The first {@code count} results of a perf array. The forward, backward-data and
     * backward-filter perf structs share one layout (GeneratedBindingsTest pins it), so the
     * forward one reads all three.
     */
    static List<Result> read(MemorySegment perf, int count) {
        List<Result> results = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            MemorySegment p = cudnnConvolutionFwdAlgoPerf_t.asSlice(perf, i);
            results.add(new Result(cudnnConvolutionFwdAlgoPerf_t.algo(p), cudnnConvolutionFwdAlgoPerf_t.status(p),
                    cudnnConvolutionFwdAlgoPerf_t.time(p), cudnnConvolutionFwdAlgoPerf_t.memory(p),
                    cudnnConvolutionFwdAlgoPerf_t.mathType(p)));
        }
        return results;
    }

    /** The best allowed result; empty when none succeeded with an allowed math type. */
    static Optional<Result> choose(List<Result> results, Precision precision) {
        return results.stream()
                .filter(r -> r.status() == Cudnn.CUDNN_STATUS_SUCCESS() && precision.cudnnRank(r.mathType()) >= 0)
                .min(Comparator.comparingInt((Result r) -> precision.cudnnRank(r.mathType()))
                        .thenComparingDouble(Result::time));
    }
}
