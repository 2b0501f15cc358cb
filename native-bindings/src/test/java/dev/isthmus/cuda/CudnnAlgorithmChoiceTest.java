package dev.isthmus.cuda;

import dev.isthmus.cuda.cudnn.Cudnn;
import dev.isthmus.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The algorithm a cudnnFind*Ex result list leads to under each precision, with no GPU: fake perf results. */
class CudnnAlgorithmChoiceTest {
    private static final int OK = Cudnn.CUDNN_STATUS_SUCCESS();
    private static final int FMA = Cudnn.CUDNN_FMA_MATH();
    private static final int DEFAULT = Cudnn.CUDNN_DEFAULT_MATH();
    private static final int TENSOR_OP = Cudnn.CUDNN_TENSOR_OP_MATH();
    private static final int CONVERSION = Cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION();

    private static CudnnAlgorithmChoice.Result result(int algo, int status, float time, int mathType) {
        return new CudnnAlgorithmChoice.Result(algo, status, time, 1000L * algo, mathType);
    }

    /** What a search on an Ampere-class GPU may return: fastest first, some algorithms twice, one failed. */
    private static final List<CudnnAlgorithmChoice.Result> FOUND = List.of(
            result(6, Cudnn.CUDNN_STATUS_NOT_SUPPORTED(), 0.1f, FMA),
            result(1, OK, 0.2f, TENSOR_OP),
            result(7, OK, 0.3f, CONVERSION),
            result(2, OK, 0.4f, DEFAULT),
            result(0, OK, 0.9f, FMA),
            result(1, OK, 1.1f, FMA));

    private static int chosen(List<CudnnAlgorithmChoice.Result> found, Precision p) {
        return CudnnAlgorithmChoice.choose(found, p).orElseThrow().algo();
    }

    @Test
    void fp32TakesTheFastestFmaResultAndNeverATensorCoreOne() {
        CudnnAlgorithmChoice.Result r = CudnnAlgorithmChoice.choose(FOUND, Precision.FP32).orElseThrow();
        assertEquals(0, r.algo());
        assertEquals(FMA, r.mathType());
        assertEquals(Optional.empty(), CudnnAlgorithmChoice.choose(List.of(result(1, OK, 0.2f, TENSOR_OP),
                result(2, OK, 0.3f, DEFAULT), result(3, OK, 0.3f, CONVERSION)), Precision.FP32));
    }

    @Test
    void tf32PrefersTensorCoreResultsOverFasterOnesThatConvertFurther() {
        CudnnAlgorithmChoice.Result r = CudnnAlgorithmChoice.choose(FOUND, Precision.TF32).orElseThrow();
        assertEquals(1, r.algo());
        assertEquals(TENSOR_OP, r.mathType(), "the math type travels with the algorithm");
        assertEquals(0, chosen(List.of(result(0, OK, 0.9f, FMA), result(3, OK, 0.1f, CONVERSION)), Precision.TF32),
                "TF32 never lets cuDNN down-convert further; it falls back to FMA");
    }

    @Test
    void bf16PrefersConversionThenTensorCoresThenFma() {
        assertEquals(7, chosen(FOUND, Precision.BF16));
        assertEquals(2, chosen(List.of(result(0, OK, 0.1f, FMA), result(2, OK, 0.4f, DEFAULT)), Precision.BF16));
        assertEquals(0, chosen(List.of(result(0, OK, 0.1f, FMA)), Precision.BF16));
    }

    @Test
    void failedResultsAreNeverChosen() {
        assertEquals(Optional.empty(), CudnnAlgorithmChoice.choose(List.of(
                result(6, Cudnn.CUDNN_STATUS_NOT_SUPPORTED(), 0.1f, FMA)), Precision.FP32));
    }

    @Test
    void resultsAreReadFromThePerfStructArray() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment perf = cudnnConvolutionFwdAlgoPerf_t.allocateArray(3, arena);
            for (int i = 0; i < 3; i++) {
                MemorySegment p = cudnnConvolutionFwdAlgoPerf_t.asSlice(perf, i);
                cudnnConvolutionFwdAlgoPerf_t.algo(p, 10 + i);
                cudnnConvolutionFwdAlgoPerf_t.status(p, OK);
                cudnnConvolutionFwdAlgoPerf_t.time(p, 0.5f * i);
                cudnnConvolutionFwdAlgoPerf_t.memory(p, 1L << (33 + i));
                cudnnConvolutionFwdAlgoPerf_t.mathType(p, i == 1 ? FMA : TENSOR_OP);
            }
            List<CudnnAlgorithmChoice.Result> read = CudnnAlgorithmChoice.read(perf, 2);
            assertEquals(List.of(new CudnnAlgorithmChoice.Result(10, OK, 0f, 1L << 33, TENSOR_OP),
                    new CudnnAlgorithmChoice.Result(11, OK, 0.5f, 1L << 34, FMA)), read);
            assertEquals(11, chosen(read, Precision.FP32));
        }
    }

    @Test
    void thePrecisionPropertyNamesOneOfThreeModes() {
        assertEquals(Precision.FP32, Precision.parse(null));
        assertEquals(Precision.FP32, Precision.parse(" "));
        assertEquals(Precision.TF32, Precision.parse("tf32"));
        assertEquals(Precision.BF16, Precision.parse("BF16"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Precision.parse("fp16"));
        assertTrue(e.getMessage().contains(Precision.PROPERTY), e.getMessage());
    }

    @Test
    void cudnnDescriptorsGetThePolicysMathType() {
        assertEquals(FMA, Precision.FP32.cudnnMathType());
        assertEquals(DEFAULT, Precision.TF32.cudnnMathType());
        assertEquals(CONVERSION, Precision.BF16.cudnnMathType());
    }
}
