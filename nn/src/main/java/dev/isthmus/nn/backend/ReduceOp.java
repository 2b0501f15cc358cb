package dev.isthmus.nn.backend;

/** Reductions over a set of axes. */
public enum ReduceOp {
    SUM, MEAN, MAX
}
