package dev.isthmus.nn.backend.cpu;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The worker threads of one CPU backend. Work is split into independent tasks whose results do
 * not depend on which thread runs them, so results are identical for any thread count.
 *
 * <p>{@code count} threads work on a {@link #parallelFor}: the calling thread and {@code count - 1}
 * daemon workers, all taking task indices from one counter. The caller starts at once and does
 * whatever no worker has taken, so a late, busy or closed worker never stalls it. After a loop the
 * workers spin for a short while before they park, because waking a parked thread costs tens of
 * microseconds (more on a virtual machine), which matters for loops of a few hundred microseconds.
 */
public final class CpuThreads implements AutoCloseable {
    /** How long an idle worker polls for the next loop before it parks. */
    private static final long WORKER_SPIN_NANOS = 200_000;
    /** How long the caller spins for the last tasks of other threads before it blocks. */
    private static final long CALLER_SPIN_NANOS = 100_000;

    /** Stops the workers of a CpuThreads that was dropped without {@link #close()}. */
    private static final Cleaner CLEANER = Cleaner.create();

    private final int count;
    private final Shared shared;
    private final Cleaner.Cleanable cleanable;

    /** What the workers see (not the CpuThreads itself, so that an unclosed one can be collected). */
    private static final class Shared implements Runnable {
        final Worker[] workers;
        /** The loop the workers should help with (the latest one posted). */
        volatile Job current;
        volatile boolean closed;

        Shared(int workers) {
            this.workers = new Worker[workers];
        }

        /** Close: the workers finish the task they are on and exit. */
        @Override
        public void run() {
            closed = true;
            for (Worker w : workers) {
                LockSupport.unpark(w);
            }
        }
    }

    /**
     * A pool of {@code count} threads: the caller and {@code count - 1} daemon workers, started now and stopped when
     * the pool is closed or collected.
     * @throws IllegalArgumentException if {@code count} is below 1
     */
    public CpuThreads(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("thread count must be >= 1, got " + count);
        }
        this.count = count;
        this.shared = new Shared(count - 1);
        for (int i = 0; i < count - 1; i++) {
            shared.workers[i] = new Worker(shared, i + 1);
            shared.workers[i].start();
        }
        this.cleanable = CLEANER.register(this, shared);
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

    /** The number of threads, the caller included. */
    public int count() {
        return count;
    }

    /**
     * Runs {@code body.accept(i)} for every i in [0, tasks), in parallel when it pays. Called from one
     * of this object's workers (a nested loop), it runs the tasks in order on that thread.
     */
    public void parallelFor(int tasks, IntConsumer body) {
        if (tasks <= 0) {
            return;
        }
        Shared s = shared;
        if (s.workers.length == 0 || tasks == 1 || s.closed
                || (Thread.currentThread() instanceof Worker w && w.shared == s)) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
            return;
        }
        Job job = new Job(tasks, body);
        s.current = job;
        for (Worker w : s.workers) {
            if (w.parked) {
                LockSupport.unpark(w);
            }
        }
        job.work();
        job.await();
        if (s.current == job) {
            s.current = null; // let the body be collected
        }
        job.rethrow();
        Reference.reachabilityFence(this);
    }

    /** One parallelFor: task indices handed out by a counter, finished tasks counted. */
    private static final class Job {
        private final int tasks;
        private final IntConsumer body;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger finished = new AtomicInteger();
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile Throwable error;

        Job(int tasks, IntConsumer body) {
            this.tasks = tasks;
            this.body = body;
        }

        boolean hasWork() {
            return next.get() < tasks;
        }

        void work() {
            int i;
            while ((i = next.getAndIncrement()) < tasks) {
                try {
                    if (error == null) {
                        body.accept(i);
                    }
                } catch (Throwable t) {
                    synchronized (this) {
                        if (error == null) {
                            error = t;
                        } else if (error != t) {
                            error.addSuppressed(t);
                        }
                    }
                } finally {
                    if (finished.incrementAndGet() == tasks) {
                        done.countDown();
                    }
                }
            }
        }

        void await() {
            long spinUntil = System.nanoTime() + CALLER_SPIN_NANOS;
            while (finished.get() < tasks) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                boolean interrupted = false;
                while (true) {
                    try {
                        done.await();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true; // the tasks still run: wait for them, keep the flag
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
        }

        void rethrow() {
            Throwable t = error;
            if (t == null) {
                return;
            }
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new RuntimeException(t);
        }
    }

    private static final class Worker extends Thread {
        final Shared shared;
        volatile boolean parked;

        Worker(Shared shared, int index) {
            super("isthmus-cpu-" + index);
            this.shared = shared;
            setDaemon(true);
        }

        @Override
        public void run() {
            long idleSince = System.nanoTime();
            while (!shared.closed) {
                Job job = shared.current;
                if (job != null && job.hasWork()) {
                    job.work();
                    idleSince = System.nanoTime();
                    continue;
                }
                if (System.nanoTime() - idleSince < WORKER_SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                job = shared.current;
                if ((job == null || !job.hasWork()) && !shared.closed) {
                    LockSupport.park(this);
                }
                parked = false;
                idleSince = System.nanoTime();
            }
        }
    }

    /** Stops the workers (they finish the task they are on); later loops run on the caller alone. */
    @Override
    public void close() {
        cleanable.clean();
    }
}
