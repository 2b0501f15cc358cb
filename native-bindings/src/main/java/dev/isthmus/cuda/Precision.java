package dev.isthmus.cuda;

import dev.isthmus.cuda.cudnn.Cudnn;

import java.util.Locale;

/**
 * How fp32 matrix products, convolutions and recurrent layers may compute on the GPU: one policy
 * that cuBLAS and cuDNN both follow. FP32 is the default; the reduced-precision modes are opt-in
 * because they change results (TF32 keeps 10 mantissa bits of each input, BF16 keeps 7).
 */
public enum Precision {
    /** Full fp32 arithmetic: no tensor-core math anywhere (cuDNN gets {@code CUDNN_FMA_MATH}). */
    FP32,
    /** Tensor cores with TF32 inputs and fp32 accumulation (cuDNN gets {@code CUDNN_DEFAULT_MATH}, as PyTorch's allow_tf32). */
    TF32,
    /**
     * cuBLAS: tensor cores with BF16 inputs and fp32 accumulation. cuDNN's convolution and RNN
     * API has no BF16 arithmetic for fp32 tensors; it gets {@code CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION},
     * the one mode that lets it down-convert fp32 inputs for tensor cores.
     */
    BF16;

    /** The system property that chooses the CUDA backend's precision at start-up. */
    public static final String PROPERTY = "isthmus.cuda.precision";

    /** {@code fp32}, {@code tf32} or {@code bf16}, any case; null or blank means FP32. */
    public static Precision parse(String name) {
        if (name == null || name.isBlank()) {
            return FP32;
        }
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PROPERTY + " must be fp32, tf32 or bf16, not '" + name + "'", e);
        }
    }

    /** The precision the system property asks for. */
    public static Precision fromSystemProperty() {
        return parse(System.getProperty(PROPERTY));
    }

    /** The math type cuDNN descriptors (convolution searches, RNNs) are set to. */
    public int cudnnMathType() {
        return switch (this) {
            case FP32 -> Cudnn.CUDNN_FMA_MATH();
            case TF32 -> Cudnn.CUDNN_DEFAULT_MATH();
            case BF16 -> Cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION();
        };
    }

    /**
     * How well a cuDNN algorithm result with {@code mathType} fits this policy: 0 is what was
     * asked for, larger is a more exact fallback, -1 is forbidden. FP32 forbids every
     * tensor-core math type (they may use TF32 on Ampere and later); the reduced modes prefer
     * tensor-core results, so that opting in is not silently ignored, and fall back to FMA.
     */
    public int cudnnRank(int mathType) {
        boolean fma = mathType == Cudnn.CUDNN_FMA_MATH();
        boolean tensorOp = mathType == Cudnn.CUDNN_DEFAULT_MATH() || mathType == Cudnn.CUDNN_TENSOR_OP_MATH();
        boolean conversion = mathType == Cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION();
        return switch (this) {
            case FP32 -> fma ? 0 : -1;
            case TF32 -> tensorOp ? 0 : fma ? 1 : -1;
            case BF16 -> conversion ? 0 : tensorOp ? 1 : fma ? 2 : -1;
        };
    }
}
