package dev.isthmus.cuda;

import java.util.List;

/**
 * The NVIDIA libraries Isthmus loads, in the order they must be loaded (cuBLASLt before cuBLAS,
 * which links against it), each with the file names tried, newest major version first.
 */
public enum CudaLibrary {
    DRIVER("CUDA driver", List.of("libcuda.so.1", "libcuda.so")),
    CUBLAS_LT("cuBLASLt", List.of("libcublasLt.so.13", "libcublasLt.so.12")),
    CUBLAS("cuBLAS", List.of("libcublas.so.13", "libcublas.so.12")),
    CUDNN("cuDNN", List.of("libcudnn.so.9"));

    /**
     * cuDNN 9's own sub-libraries, which libcudnn.so.9 opens by name at run time. They are loaded
     * from libcudnn's folder first, in dependency order, so that those opens find them already
     * loaded wherever that folder is.
     */
    public static final List<String> CUDNN_SUB_LIBRARIES = List.of(
            "libcudnn_graph.so.9",
            "libcudnn_engines_precompiled.so.9",
            "libcudnn_engines_runtime_compiled.so.9",
            "libcudnn_heuristic.so.9",
            "libcudnn_ops.so.9",
            "libcudnn_cnn.so.9",
            "libcudnn_adv.so.9");

    private final String displayName;
    private final List<String> fileNames;

    CudaLibrary(String displayName, List<String> fileNames) {
        this.displayName = displayName;
        this.fileNames = fileNames;
    }

    public String displayName() {
        return displayName;
    }

    /** File names tried in each folder, in order. */
    public List<String> fileNames() {
        return fileNames;
    }
}
