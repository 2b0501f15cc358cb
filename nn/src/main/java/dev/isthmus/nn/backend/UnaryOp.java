package dev.isthmus.nn.backend;

/** Elementwise one-input ops. {@code p} and {@code q} are the op's scalar parameters where it has them. */
public enum UnaryOp {
    /** -x */
    NEG,
    /** e^x */
    EXP,
    /** the natural logarithm */
    LOG,
    /** the square root */
    SQRT,
    /** |x| */
    ABS,
    /** max(x, 0) */
    RELU,
    /** 1 / (1 + e^-x) */
    SIGMOID,
    /** the hyperbolic tangent */
    TANH,
    /** x^p */
    POW,
    /** x if x > 0 else p·x */
    LEAKY_RELU,
    /** min(max(x, p), q) */
    CLAMP,
    /** p·x + q */
    AFFINE
}
