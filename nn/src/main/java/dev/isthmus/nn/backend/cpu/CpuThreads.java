package dev.isthmus.nn.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The worker threads of one CPU backend. Work is split into independent tasks whose results do
 * not depend on which thread runs them, so results are identical for any thread count.
 */
public final class CpuThreads implements AutoCloseable {
    private final int count;
    private final ForkJoinPool pool;

    public CpuThreads(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("thread count must be >= 1, got " + count);
        }
        this.count = count;
        this.pool = count == 1 ? null : new ForkJoinPool(count, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("isthmus-cpu-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /** Threads from {@code isthmus.cpu.threads} or the number of available processors. */
    public static CpuThreads fromEnvironment() {
        String p = System.getProperty("isthmus.cpu.threads", System.getenv("ISTHMUS_CPU_THREADS"));
        int n = Runtime.getRuntime().availableProcessors();
        if (p != null && !p.isBlank()) {
            try {
                n = Integer.parseInt(p.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("isthmus.cpu.threads must be an integer, got '" + p + "'", e);
            }
        }
        return new CpuThreads(n);
    }

    public int count() {
        return count;
    }

    /** Runs {@code body.accept(i)} for every i in [0, tasks), in parallel when it pays. */
    public void parallelFor(int tasks, IntConsumer body) {
        if (tasks <= 0) {
            return;
        }
        if (pool == null || tasks == 1 || java.util.concurrent.ForkJoinTask.getPool() == pool) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
            return;
        }
        pool.invoke(new Range(body, 0, tasks));
    }

    private static final class Range extends RecursiveAction {
        private final IntConsumer body;
        private final int from;
        private final int to;

        Range(IntConsumer body, int from, int to) {
            this.body = body;
            this.from = from;
            this.to = to;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                body.accept(from);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Range(body, from, mid), new Range(body, mid, to));
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
