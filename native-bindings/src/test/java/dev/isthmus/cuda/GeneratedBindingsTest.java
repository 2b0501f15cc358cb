package dev.isthmus.cuda;

import dev.isthmus.cuda.cublas.Cublas;
import dev.isthmus.cuda.cudnn.Cudnn;
import dev.isthmus.cuda.cudnn.cudnnConvolutionBwdDataAlgoPerf_t;
import dev.isthmus.cuda.cudnn.cudnnConvolutionBwdFilterAlgoPerf_t;
import dev.isthmus.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import dev.isthmus.cuda.driver.CudaDriver;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The generated classes initialise and give their constants and layouts with no NVIDIA library loaded. */
class GeneratedBindingsTest {

    @Test
    void generatedClassesInitialiseWithoutTheirLibraries() throws ClassNotFoundException {
        for (String name : new String[] {"dev.isthmus.cuda.driver.CudaDriver", "dev.isthmus.cuda.cublas.Cublas",
                "dev.isthmus.cuda.cudnn.Cudnn", "dev.isthmus.cuda.cudnn.cudnnConvolutionBwdFilterAlgoPerf_t"}) {
            Class.forName(name, true, getClass().getClassLoader());
        }
    }

    @Test
    void constantsMatchTheHeaders() {
        assertEquals(0, CudaDriver.CUDA_SUCCESS());
        assertEquals(2, CudaDriver.CUDA_ERROR_OUT_OF_MEMORY());
        assertEquals(1, Cublas.CUBLAS_OP_T());
        assertEquals(3, Cublas.CUBLAS_STATUS_ALLOC_FAILED());
        assertEquals(2, Cudnn.CUDNN_LSTM());
        assertEquals(1, Cudnn.CUDNN_TENSOR_NHWC());
        assertEquals(2000, Cudnn.CUDNN_STATUS_BAD_PARAM());
        assertEquals(0, Cudnn.CUDNN_RNN_DATA_LAYOUT_SEQ_MAJOR_UNPACKED());
    }

    @Test
    void perfStructHasTheCLayout() {
        // algo, status, time (4 bytes each), padding, memory (size_t), determinism, mathType, reserved[3]
        assertEquals(48, cudnnConvolutionFwdAlgoPerf_t.layout().byteSize());
        assertEquals(16, cudnnConvolutionFwdAlgoPerf_t.layout().byteOffset(
                java.lang.foreign.MemoryLayout.PathElement.groupElement("memory")));
    }

    @Test
    void theThreeConvolutionPerfStructsShareOneLayout() {
        // CudnnConvolution2d reads all three through the forward struct's accessors.
        assertEquals(cudnnConvolutionFwdAlgoPerf_t.layout().withoutName(), cudnnConvolutionBwdDataAlgoPerf_t.layout().withoutName());
        assertEquals(cudnnConvolutionFwdAlgoPerf_t.layout().withoutName(), cudnnConvolutionBwdFilterAlgoPerf_t.layout().withoutName());
    }

    @Test
    void theMathTypesHaveCudnnsValues() {
        assertEquals(0, Cudnn.CUDNN_DEFAULT_MATH());
        assertEquals(1, Cudnn.CUDNN_TENSOR_OP_MATH());
        assertEquals(2, Cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION());
        assertEquals(3, Cudnn.CUDNN_FMA_MATH());
        assertEquals(0, Cudnn.CUDNN_WGRAD_MODE_ADD());
    }
}
