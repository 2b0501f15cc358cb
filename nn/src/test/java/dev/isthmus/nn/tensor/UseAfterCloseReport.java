package dev.isthmus.nn.tensor;

/** Child-JVM entry point: uses a tensor after its scope closed and prints the cause's first frames. */
public final class UseAfterCloseReport {
    private UseAfterCloseReport() {
    }

    public static void main(String[] args) {
        Tensor t;
        try (Scope s = Scope.open("step 7")) {
            t = Tensor.ones(3);
        }
        try {
            t.toArray();
        } catch (TensorFreedException e) {
            System.out.println(e.getMessage());
            System.out.println(e.getCause() == null ? "no cause" : e.getCause().getMessage());
            if (e.getCause() != null) {
                System.out.println(e.getCause().getStackTrace()[1]);
            }
        }
    }
}
