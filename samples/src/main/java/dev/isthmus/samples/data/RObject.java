package dev.isthmus.samples.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A value read by {@link RSerialization}: the subset of R objects that data sets are made of.
 *
 * <p>Vectors carry their attributes (such as {@code names}, {@code class}, {@code levels},
 * {@code row.names}) as an ordered, unmodifiable map from attribute name to value. Missing values
 * follow R: {@link #NA_INTEGER} in integer and logical vectors, a {@code null} element in a
 * character vector, and R's NA bit pattern (a NaN, see {@link #isNA(double)}) in double vectors.
 */
public sealed interface RObject {

    /** R's {@code NA_integer_} (and {@code NA} for logicals): the smallest {@code int}. */
    int NA_INTEGER = Integer.MIN_VALUE;

    /** The low word of R's {@code NA_real_}, a NaN whose low 32 bits are 1954. */
    int NA_REAL_LOW_WORD = 1954;

    /** Whether a double is R's {@code NA_real_} (rather than any other NaN). */
    static boolean isNA(double value) {
        return Double.isNaN(value) && (int) Double.doubleToRawLongBits(value) == NA_REAL_LOW_WORD;
    }

    /** This object's attributes, in stream order; empty when it has none. */
    default Map<String, RObject> attributes() {
        return Map.of();
    }

    /** One attribute, or {@code null}. */
    default RObject attribute(String name) {
        return attributes().get(name);
    }

    /** The {@code class} attribute's values; empty when there is none. */
    default List<String> classes() {
        return attribute("class") instanceof RStrings s ? s.list() : List.of();
    }

    /** Whether the {@code class} attribute contains the given class. */
    default boolean inherits(String className) {
        return classes().contains(className);
    }

    /** The {@code names} attribute's values; empty when there is none. */
    default List<String> names() {
        return attribute("names") instanceof RStrings s ? s.list() : List.of();
    }

    /** R's {@code NULL}. */
    record RNull() implements RObject {
        /** The one instance. */
        public static final RNull NULL = new RNull();
    }

    /** A symbol, such as an attribute name. */
    record RSymbol(String name) implements RObject {
        public RSymbol {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * One of R's singleton environments or markers (global, empty or base environment, base
     * namespace, missing argument, unbound value), kept only by name.
     */
    record RSpecial(String name) implements RObject {
    }

    /**
     * A pairlist ({@code LISTSXP}): tagged cells, such as the objects of an {@code .rda} file.
     * Its {@code tail} is {@link RNull#NULL} for a proper list; a dotted pair, such as the state
     * of some ALTREP classes ({@code CONS(x, meta)}), ends in another value.
     */
    record RPairList(List<Cell> cells, RObject tail, Map<String, RObject> attributes) implements RObject {
        public RPairList {
            cells = List.copyOf(cells);
            tail = tail == null ? RNull.NULL : tail;
            attributes = freeze(attributes);
        }

        /** A proper pairlist (ending in {@code NULL}). */
        public RPairList(List<Cell> cells, Map<String, RObject> attributes) {
            this(cells, RNull.NULL, attributes);
        }

        /** One cell: its tag ({@code null} when untagged) and value. */
        public record Cell(String tag, RObject value) {
            public Cell {
                Objects.requireNonNull(value, "value");
            }
        }

        /** The value of the first cell tagged {@code tag}, or {@code null}. */
        public RObject get(String tag) {
            for (Cell c : cells) {
                if (tag.equals(c.tag())) {
                    return c.value();
                }
            }
            return null;
        }

        /** The cells as a map from tag to value (untagged cells are left out; the first of equal tags wins). */
        public Map<String, RObject> asMap() {
            Map<String, RObject> map = new LinkedHashMap<>();
            for (Cell c : cells) {
                if (c.tag() != null) {
                    map.putIfAbsent(c.tag(), c.value());
                }
            }
            return Collections.unmodifiableMap(map);
        }
    }

    /** A vector of any of the types below; {@link #length()} is its number of elements. */
    sealed interface RVector extends RObject permits RList, RStrings, RInts, RLogicals, RDoubles, RRaw {
        /** The number of elements. */
        int length();
    }

    /** A generic vector ({@code VECSXP}): a list, or a data frame (columns, with {@code names}). */
    record RList(List<RObject> elements, Map<String, RObject> attributes) implements RVector {
        public RList {
            elements = Collections.unmodifiableList(new ArrayList<>(elements));
            attributes = freeze(attributes);
        }

        @Override
        public int length() {
            return elements.size();
        }

        /** Whether this is a data frame (its class contains {@code data.frame}). */
        public boolean isDataFrame() {
            return inherits("data.frame");
        }

        /** The element named {@code name} (a data frame's column), or {@code null}. */
        public RObject get(String name) {
            int i = names().indexOf(name);
            return i < 0 || i >= elements.size() ? null : elements.get(i);
        }

        /**
         * A data frame's number of rows, from its {@code row.names} attribute: either compact
         * ({@code c(NA, -n)} or {@code c(NA, n)}) or explicit; else the first column's length.
         */
        public int rowCount() {
            RObject rn = attribute("row.names");
            if (rn instanceof RInts ints && ints.length() == 2 && ints.values()[0] == NA_INTEGER) {
                return Math.abs(ints.values()[1]);
            }
            if (rn instanceof RVector v) {
                return v.length();
            }
            return elements.isEmpty() || !(elements.getFirst() instanceof RVector first) ? 0 : first.length();
        }
    }

    /** A character vector ({@code STRSXP}); an {@code NA} element is {@code null}. */
    record RStrings(String[] values, Map<String, RObject> attributes) implements RVector {
        public RStrings {
            Objects.requireNonNull(values, "values");
            attributes = freeze(attributes);
        }

        @Override
        public int length() {
            return values.length;
        }

        /** The values as an unmodifiable list (which may hold {@code null} for NA). */
        public List<String> list() {
            return Collections.unmodifiableList(java.util.Arrays.asList(values));
        }
    }

    /**
     * An integer vector ({@code INTSXP}); {@link #NA_INTEGER} marks NA. A factor is one with
     * class {@code factor} and a {@code levels} attribute: its codes are 1-based level indices.
     */
    record RInts(int[] values, Map<String, RObject> attributes) implements RVector {
        public RInts {
            Objects.requireNonNull(values, "values");
            attributes = freeze(attributes);
        }

        @Override
        public int length() {
            return values.length;
        }

        /** Whether this is a factor. */
        public boolean isFactor() {
            return inherits("factor") && attribute("levels") instanceof RStrings;
        }

        /** A factor's levels; empty when there are none. */
        public List<String> levels() {
            return attribute("levels") instanceof RStrings s ? s.list() : List.of();
        }

        /**
         * A factor's level for element {@code i}: {@code null} for NA.
         *
         * @throws IllegalStateException when the code lies outside the levels
         */
        public String level(int i) {
            int code = values[i];
            if (code == NA_INTEGER) {
                return null;
            }
            List<String> levels = levels();
            if (code < 1 || code > levels.size()) {
                throw new IllegalStateException("factor code " + code + " at element " + (i + 1)
                        + " is outside its " + levels.size() + " levels");
            }
            return levels.get(code - 1);
        }
    }

    /** A logical vector ({@code LGLSXP}): 0 false, 1 true, {@link #NA_INTEGER} NA. */
    record RLogicals(int[] values, Map<String, RObject> attributes) implements RVector {
        public RLogicals {
            Objects.requireNonNull(values, "values");
            attributes = freeze(attributes);
        }

        @Override
        public int length() {
            return values.length;
        }
    }

    /** A double vector ({@code REALSXP}). */
    record RDoubles(double[] values, Map<String, RObject> attributes) implements RVector {
        public RDoubles {
            Objects.requireNonNull(values, "values");
            attributes = freeze(attributes);
        }

        @Override
        public int length() {
            return values.length;
        }
    }

    /** A raw vector ({@code RAWSXP}). */
    record RRaw(byte[] values, Map<String, RObject> attributes) implements RVector {
        public RRaw {
            Objects.requireNonNull(values, "values");
            attributes = freeze(attributes);
        }

        @Override
        public int length() {
            return values.length;
        }
    }

    private static Map<String, RObject> freeze(Map<String, RObject> attributes) {
        return attributes == null || attributes.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }
}
