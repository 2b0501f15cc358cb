package dev.isthmus.nn.backend;

import dev.isthmus.nn.tensor.DType;
import dev.isthmus.nn.tensor.Scope;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A CUDA graph's semantics on any backend, for checking a step program without a GPU: the
 * capture runs the step against a stand-in backend that records each primitive with its arguments
 * as given (tensors and by-value numbers alike) and runs nothing, and a replay runs the record.
 * Memory allocated during the capture belongs to the graph and lives until it closes, as a CUDA
 * graph's allocations keep their addresses; host reads, synchronisations and uploads inside the
 * capture are refused. A value the step took by value from the host is therefore replayed as it
 * was at the capture, exactly the mistake a real graph would make.
 */
public final class RecordingStepGraph implements StepGraph {
    private static final Set<String> REFUSED = Set.of("copyToHost", "copyFromHost", "synchronize", "captureStep");
    private static final Set<String> PASSED = Set.of("device", "describe", "counters", "toString", "hashCode", "equals");

    private record Call(Method method, Object[] args) {
    }

    private final Backend target;
    private final Scope memory;
    private final List<Call> calls;
    private boolean closed;

    private RecordingStepGraph(Backend target, Scope memory, List<Call> calls) {
        this.target = target;
        this.memory = memory;
        this.calls = calls;
    }

    /** Records what {@code step} asks of {@code target} (the CPU backend) without running it. */
    public static RecordingStepGraph capture(Backend target, Runnable step) {
        if (target.device().kind() != dev.isthmus.nn.tensor.Device.Kind.CPU) {
            throw new IllegalArgumentException("the recording graph stands in for the CPU backend, not " + target.device());
        }
        Scope memory = Scope.independent("recorded step memory");
        List<Call> calls = new ArrayList<>();
        InvocationHandler handler = (proxy, method, args) -> {
            String name = method.getName();
            if (REFUSED.contains(name)) {
                throw new CaptureViolationException(name);
            }
            if (name.equals("allocate")) {
                return target.allocate((Long) args[0], (DType) args[1], memory);
            }
            if (PASSED.contains(name) || method.getReturnType() != void.class) {
                return invoke(method, target, args);
            }
            calls.add(new Call(method, args == null ? new Object[0] : args.clone()));
            return null;
        };
        Backend standIn = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                handler);
        try {
            StepCapture.during(standIn, () -> {
                step.run();
                return null;
            });
        } catch (RuntimeException | Error e) {
            memory.close();
            throw e;
        }
        return new RecordingStepGraph(target, memory, List.copyOf(calls));
    }

    /** How many primitives the capture recorded. */
    public int recordedCalls() {
        return calls.size();
    }

    @Override
    public void replay() {
        if (closed) {
            throw new IllegalStateException("recorded step graph is closed");
        }
        for (Call c : calls) {
            invoke(c.method(), target, c.args());
        }
    }

    private static Object invoke(Method method, Backend target, Object[] args) {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            memory.close();
        }
    }
}
