package dev.isthmus.nn.backend;

/**
 * Elementwise two-input ops with NumPy broadcasting. Comparisons give 1 or 0. MAXIMUM and MINIMUM
 * are {@link Math#max} and {@link Math#min} on every backend: a NaN operand is the result, and +0
 * is above -0.
 */
public enum BinaryOp {
    /** a + b */
    ADD,
    /** a - b */
    SUB,
    /** a · b */
    MUL,
    /** a / b */
    DIV,
    /** {@code Math.max(a, b)} */
    MAXIMUM,
    /** {@code Math.min(a, b)} */
    MINIMUM,
    /** 1 where a == b, else 0 */
    EQUAL,
    /** 1 where a > b, else 0 */
    GREATER
}
