package dev.isthmus.cuda;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What happened when one library was searched for: the file loaded, or every place looked in
 * with what was found there (nothing, or a file the system loader refused, with its message).
 */
public record LibraryStatus(CudaLibrary library, Optional<Path> loadedFrom, List<Attempt> attempts,
                            List<String> notes) {

    /** One place looked in and its outcome. */
    public record Attempt(SearchPlace place, String outcome) {
    }

    public boolean loaded() {
        return loadedFrom.isPresent();
    }

    /** A multi-line description: the path loaded, or each place looked in and why it failed. */
    public String describe() {
        StringBuilder sb = new StringBuilder(library.displayName()).append(": ");
        if (loadedFrom.isPresent()) {
            sb.append("loaded ").append(loadedFrom.get());
        } else {
            sb.append("not loaded; looked for ").append(String.join(" or ", library.fileNames()))
                    .append(attempts.isEmpty() ? " but there was no place to look" : " in:");
            for (Attempt a : attempts) {
                sb.append("\n    ").append(a.place()).append(": ").append(a.outcome());
            }
        }
        for (String note : notes) {
            sb.append("\n    note: ").append(note);
        }
        return sb.toString();
    }
}
