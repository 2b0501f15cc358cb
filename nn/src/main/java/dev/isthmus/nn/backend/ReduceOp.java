package dev.isthmus.nn.backend;

/** Reductions over a set of axes. MAX folds {@link Math#max} on every backend: NaN propagates, +0 is above -0. */
public enum ReduceOp {
    /** The sum. */
    SUM,
    /** The sum divided by the number of elements reduced. */
    MEAN,
    /** The largest value. */
    MAX
}
