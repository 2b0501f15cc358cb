package dev.isthmus.nn.backend;

/**
 * Elementwise two-input ops with NumPy broadcasting. Comparisons give 1 or 0. MAXIMUM and MINIMUM
 * are {@link Math#max} and {@link Math#min} on every backend: a NaN operand is the result, and +0
 * is above -0.
 */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, EQUAL, GREATER
}
