package dev.isthmus.samples.data;

/**
 * A dataset could not be obtained: its Debian package could not be downloaded, the needed
 * files are missing from it, or the tools to unpack it are absent. The message names the
 * package, the command that was run, the tail of its error output, and what to do about it.
 */
public final class DatasetUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String packageName;

    public DatasetUnavailableException(String packageName, String message) {
        this(packageName, message, null);
    }

    public DatasetUnavailableException(String packageName, String message, Throwable cause) {
        super(message, cause);
        this.packageName = packageName;
    }

    /** The Debian package that was being fetched or unpacked. */
    public String packageName() {
        return packageName;
    }
}
