package dev.isthmus.nn.layers;

/**
 * A saved architecture names a layer class that {@link Layers} does not know: neither built in
 * nor registered. The message names the class and the call that fixes it,
 * {@code Layers.register("MyLayer", config -> ...)}, made before loading.
 */
public class UnknownLayerException extends IllegalArgumentException {
    /** The unknown class name, as the saved architecture gives it. */
    private final String className;

    /** A saved architecture names {@code className}, which is neither built in nor registered. */
    public UnknownLayerException(String className) {
        super("unknown layer class \"" + className + "\": a custom layer must be registered before a model that uses it"
                + " is loaded: call Layers.register(\"" + className + "\", config -> new " + javaName(className)
                + "(...)) first (built in: " + String.join(", ", Layers.BUILT_IN) + ")");
        this.className = className;
    }

    /** The layer class name the saved architecture gives. */
    public String className() {
        return className;
    }

    private static String javaName(String className) {
        return className.matches("[A-Za-z_$][A-Za-z0-9_$]*") ? className : "MyLayer";
    }
}
