package dev.isthmus.cuda;

import java.nio.file.Path;

/**
 * One folder the search looks in, and the rule that put it on the list (shown in the report so
 * that a user can see why a folder was or was not searched).
 */
public record SearchPlace(Path folder, String rule) {
    @Override
    public String toString() {
        return folder + " (" + rule + ")";
    }
}
