package dev.isthmus.cuda;

import java.util.List;

/** A CUDA library that is needed did not load; the message says where each was looked for and why it failed. */
public final class CudaUnavailableException extends RuntimeException {
    private final List<LibraryStatus> missing;

    public CudaUnavailableException(List<LibraryStatus> missing) {
        super(message(missing));
        this.missing = List.copyOf(missing);
    }

    public List<LibraryStatus> missing() {
        return missing;
    }

    private static String message(List<LibraryStatus> missing) {
        StringBuilder sb = new StringBuilder("CUDA is not available here:");
        for (LibraryStatus status : missing) {
            sb.append("\n  ").append(status.describe().replace("\n", "\n  "));
        }
        sb.append("\n(name more folders with -D" + CudaLibraries.PATH_PROPERTY + "=DIR:DIR or " + CudaLibraries.PATH_VARIABLE + ")");
        return sb.toString();
    }
}
