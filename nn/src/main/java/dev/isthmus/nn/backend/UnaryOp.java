package dev.isthmus.nn.backend;

/** Elementwise one-input ops. {@code p} and {@code q} are the op's scalar parameters where it has them. */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, ABS, RELU, SIGMOID, TANH,
    /** x^p */
    POW,
    /** x if x > 0 else p·x */
    LEAKY_RELU,
    /** min(max(x, p), q) */
    CLAMP,
    /** p·x + q */
    AFFINE
}
