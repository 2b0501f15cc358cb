package dev.isthmus.nn.backend;

/** Elementwise two-input ops with NumPy broadcasting. Comparisons give 1 or 0. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, EQUAL, GREATER
}
