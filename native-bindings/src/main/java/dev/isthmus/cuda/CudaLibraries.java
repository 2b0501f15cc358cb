package dev.isthmus.cuda;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds and loads the CUDA driver, cuBLAS(Lt) and cuDNN, and says what it did.
 *
 * <p>Folders are searched in this order, for each library in {@link CudaLibrary} order:
 * <ol>
 *   <li>the system property {@value #PATH_PROPERTY} (folders separated by {@code :});</li>
 *   <li>the environment variable {@value #PATH_VARIABLE} (same form);</li>
 *   <li>{@code LD_LIBRARY_PATH};</li>
 *   <li>the dynamic linker's cache ({@code ldconfig -p});</li>
 *   <li>{@code /usr/local/cuda/lib64}, then {@code /usr/local/cuda-*}{@code /lib64}, newest first;</li>
 *   <li>{@code /usr/local/nvidia/lib64} and {@code /usr/local/nvidia/lib}, where NVIDIA's container
 *       runtime mounts the driver;</li>
 *   <li>{@code nvidia/*}{@code /lib} in Python site-packages folders (the active virtual environment,
 *       {@code CONDA_PREFIX}, each {@code PATH} entry's {@code ../lib/python3*}, the user's and the
 *       system's), where NVIDIA's pip wheels put cuBLAS and cuDNN;</li>
 *   <li>the system library folders ({@code /usr/lib/x86_64-linux-gnu}, {@code /usr/lib64}, ...).</li>
 * </ol>
 * In each folder the library's file names are tried in order (e.g. {@code libcublas.so.13} before
 * {@code .so.12}); a file the system loader refuses is recorded with the loader's message and the
 * search goes on. cuBLAS is taken with the same major version as the cuBLASLt that loaded. Before
 * {@code libcudnn.so.9} loads, its sub-libraries in the same folder are loaded, so that cuDNN's own
 * opens of them by name succeed wherever the folder is.
 *
 * <p>Nothing here throws: {@link #system()} always returns, with a {@link LibraryStatus} per
 * library; {@link #require} turns absence into a {@link CudaUnavailableException} that carries
 * the report. The generated bindings find symbols through this class loader's lookup, so none
 * of them is touched before its library loaded here.
 */
public final class CudaLibraries {
    public static final String PATH_PROPERTY = "isthmus.cuda.path";
    public static final String PATH_VARIABLE = "ISTHMUS_CUDA_PATH";

    /** Loads one native library file; throws {@link UnsatisfiedLinkError} with the loader's message. */
    @FunctionalInterface
    public interface NativeLoader {
        void load(Path file);
    }

    private static CudaLibraries system;

    private final Map<CudaLibrary, LibraryStatus> statuses;

    private CudaLibraries(Map<CudaLibrary, LibraryStatus> statuses) {
        this.statuses = statuses;
    }

    /** The libraries of this process, searched and loaded on the first call. */
    public static synchronized CudaLibraries system() {
        if (system == null) {
            SearchEnvironment env;
            try {
                env = SearchEnvironment.ofThisProcess();
            } catch (RuntimeException e) {
                env = new SearchEnvironment(Optional.empty(), Map.of(), Path.of("/"), List::of);
            }
            system = search(env, file -> System.load(file.toString()));
        }
        return system;
    }

    /** Searches for and loads every library with the given environment and loader. */
    public static CudaLibraries search(SearchEnvironment env, NativeLoader loader) {
        Map<CudaLibrary, LibraryStatus> statuses = new EnumMap<>(CudaLibrary.class);
        for (CudaLibrary library : CudaLibrary.values()) {
            List<String> names = library.fileNames();
            if (library == CudaLibrary.CUBLAS) {
                names = sameMajorAs(statuses.get(CudaLibrary.CUBLAS_LT), names);
            }
            List<SearchPlace> places;
            try {
                places = places(library, env);
            } catch (RuntimeException e) {
                places = List.of();
            }
            statuses.put(library, load(library, names, places, loader));
        }
        return new CudaLibraries(statuses);
    }

    public LibraryStatus status(CudaLibrary library) {
        return statuses.get(library);
    }

    public boolean isLoaded(CudaLibrary library) {
        return statuses.get(library).loaded();
    }

    /** Throws {@link CudaUnavailableException}, naming where each missing library was looked for, unless all loaded. */
    public void require(CudaLibrary... libraries) {
        List<LibraryStatus> missing = new ArrayList<>();
        for (CudaLibrary library : libraries) {
            if (!isLoaded(library)) {
                missing.add(status(library));
            }
        }
        if (!missing.isEmpty()) {
            throw new CudaUnavailableException(missing);
        }
    }

    /** One block per library: the path loaded, or every place looked in and what was found there. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        for (LibraryStatus status : statuses.values()) {
            sb.append(status.describe()).append('\n');
        }
        return sb.toString();
    }

    /** The folders searched for {@code library}, in the documented order, without repeats. */
    public static List<SearchPlace> places(CudaLibrary library, SearchEnvironment env) {
        Map<Path, SearchPlace> places = new LinkedHashMap<>();
        env.folderProperty().ifPresent(v -> addPathList(places, v, "system property " + PATH_PROPERTY));
        String variable = env.environment().get(PATH_VARIABLE);
        if (variable != null) {
            addPathList(places, variable, "environment variable " + PATH_VARIABLE);
        }
        String ldPath = env.environment().get("LD_LIBRARY_PATH");
        if (ldPath != null) {
            addPathList(places, ldPath, "LD_LIBRARY_PATH");
        }
        for (Path cached : env.ldconfigCache().get()) {
            Path name = cached.getFileName();
            if (name != null && library.fileNames().contains(name.toString()) && cached.getParent() != null) {
                add(places, cached.getParent(), "ldconfig cache");
            }
        }
        Path root = env.root();
        add(places, root.resolve("usr/local/cuda/lib64"), "CUDA toolkit");
        for (Path toolkit : versionedChildren(root.resolve("usr/local"), "cuda-")) {
            add(places, toolkit.resolve("lib64"), "CUDA toolkit");
        }
        add(places, root.resolve("usr/local/nvidia/lib64"), "NVIDIA container runtime");
        add(places, root.resolve("usr/local/nvidia/lib"), "NVIDIA container runtime");
        for (Path sitePackages : sitePackages(env)) {
            for (Path nvidia : children(sitePackages.resolve("nvidia"))) {
                add(places, nvidia.resolve("lib"), "Python package " + sitePackages.relativize(nvidia));
            }
        }
        for (String system : List.of("usr/lib/x86_64-linux-gnu", "usr/lib64", "lib/x86_64-linux-gnu",
                "usr/lib/aarch64-linux-gnu", "usr/lib/wsl/lib")) {
            add(places, root.resolve(system), "system library folder");
        }
        return List.copyOf(places.values());
    }

    private static LibraryStatus load(CudaLibrary library, List<String> names, List<SearchPlace> places,
                                      NativeLoader loader) {
        List<LibraryStatus.Attempt> attempts = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (SearchPlace place : places) {
            boolean anyPresent = false;
            for (String name : names) {
                Path file = place.folder().resolve(name);
                if (!Files.exists(file)) {
                    continue;
                }
                anyPresent = true;
                if (library == CudaLibrary.CUDNN) {
                    notes.addAll(loadCudnnSubLibraries(place.folder(), loader));
                }
                String failure = tryLoad(loader, file);
                if (failure == null) {
                    return new LibraryStatus(library, Optional.of(file), attempts, notes);
                }
                attempts.add(new LibraryStatus.Attempt(place, "found " + name + " but the loader refused it: " + failure));
            }
            if (!anyPresent) {
                attempts.add(new LibraryStatus.Attempt(place, Files.isDirectory(place.folder())
                        ? "no " + String.join(" or ", names) + " there" : "no such folder"));
            }
        }
        return new LibraryStatus(library, Optional.empty(), attempts, notes);
    }

    private static List<String> loadCudnnSubLibraries(Path folder, NativeLoader loader) {
        List<String> notes = new ArrayList<>();
        for (String sub : CudaLibrary.CUDNN_SUB_LIBRARIES) {
            Path file = folder.resolve(sub);
            if (Files.exists(file)) {
                String failure = tryLoad(loader, file);
                if (failure != null) {
                    notes.add("sub-library " + file + " did not load (cuDNN calls that need it will fail): " + failure);
                }
            }
        }
        return notes;
    }

    private static String tryLoad(NativeLoader loader, Path file) {
        try {
            loader.load(file);
            return null;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return String.valueOf(e.getMessage());
        }
    }

    private static List<String> sameMajorAs(LibraryStatus lt, List<String> names) {
        if (lt == null || lt.loadedFrom().isEmpty()) {
            return names;
        }
        String ltName = lt.loadedFrom().get().getFileName().toString();
        String major = ltName.substring(ltName.lastIndexOf('.') + 1);
        List<String> same = names.stream().filter(n -> n.endsWith(".so." + major)).toList();
        return same.isEmpty() ? names : same;
    }

    private static void addPathList(Map<Path, SearchPlace> places, String value, String rule) {
        for (String part : value.split(File.pathSeparator)) {
            if (!part.isBlank()) {
                add(places, Path.of(part.trim()), rule);
            }
        }
    }

    private static void add(Map<Path, SearchPlace> places, Path folder, String rule) {
        Path key = folder.toAbsolutePath().normalize();
        try {
            // /usr/local/cuda is usually a link to /usr/local/cuda-X.Y: search the folder once.
            key = key.toRealPath();
        } catch (IOException | SecurityException e) {
            // not there (reported as such) or not readable: keep the name as given
        }
        places.putIfAbsent(key, new SearchPlace(key, rule));
    }

    private static List<Path> sitePackages(SearchEnvironment env) {
        List<Path> prefixes = new ArrayList<>();
        Map<String, String> e = env.environment();
        for (String variable : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            if (e.get(variable) != null && !e.get(variable).isBlank()) {
                prefixes.add(Path.of(e.get(variable)));
            }
        }
        String path = e.get("PATH");
        if (path != null) {
            for (String bin : path.split(File.pathSeparator)) {
                if (!bin.isBlank() && Files.isRegularFile(Path.of(bin, "python3"))) {
                    Path parent = Path.of(bin).toAbsolutePath().getParent();
                    if (parent != null) {
                        prefixes.add(parent);
                    }
                }
            }
        }
        if (e.get("HOME") != null) {
            prefixes.add(Path.of(e.get("HOME"), ".local"));
        }
        prefixes.add(env.root().resolve("usr/local"));
        prefixes.add(env.root().resolve("usr"));
        List<Path> result = new ArrayList<>();
        for (Path prefix : prefixes) {
            for (Path python : versionedChildren(prefix.resolve("lib"), "python3")) {
                for (String kind : List.of("site-packages", "dist-packages")) {
                    Path dir = python.resolve(kind);
                    if (Files.isDirectory(dir) && !result.contains(dir)) {
                        result.add(dir);
                    }
                }
            }
        }
        return result;
    }

    private static List<Path> children(Path folder) {
        List<Path> result = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return result;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                if (Files.isDirectory(entry)) {
                    result.add(entry);
                }
            }
        } catch (IOException e) {
            return result;
        }
        result.sort(Comparator.comparing(Path::toString));
        return result;
    }

    private static final Pattern NUMBERS = Pattern.compile("\\d+");

    /** Children named {@code prefix...}, highest version first ({@code cuda-13.0} before {@code cuda-12.8}). */
    private static List<Path> versionedChildren(Path folder, String prefix) {
        List<Path> matching = new ArrayList<>(children(folder).stream()
                .filter(p -> p.getFileName().toString().startsWith(prefix)).toList());
        matching.sort(Comparator.comparing((Path p) -> versionKey(p.getFileName().toString()), CudaLibraries::compareVersions).reversed());
        return matching;
    }

    private static List<Integer> versionKey(String name) {
        List<Integer> parts = new ArrayList<>();
        Matcher m = NUMBERS.matcher(name);
        while (m.find()) {
            parts.add(Integer.parseInt(m.group().length() > 9 ? m.group().substring(0, 9) : m.group()));
        }
        return parts;
    }

    private static int compareVersions(List<Integer> a, List<Integer> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = Integer.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }
}
