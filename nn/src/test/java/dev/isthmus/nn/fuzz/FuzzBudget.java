package dev.isthmus.nn.fuzz;

/** How many generated inputs each fuzz target gets in CI (JAZZER_FUZZ=1); longer runs are local (README). */
final class FuzzBudget {
    static final long CI_EXECUTIONS = 20_000;
    /** Image decoding is some 30 times slower than the other readers. */
    static final long CI_IMAGE_EXECUTIONS = 5_000;

    private FuzzBudget() {
    }
}
