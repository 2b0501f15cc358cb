package dev.isthmus.nn.data;

import dev.isthmus.nn.tensor.Tensor;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Supplier;

/**
 * One pass of {@link Dataset#prefetch}: a daemon thread opens the upstream pass, makes elements
 * into a bounded queue and closes the pass when it ends or is told to stop. The consumer takes
 * from the queue; closing interrupts and joins the thread and frees what it left queued, so no
 * thread outlives its pass.
 */
final class Prefetcher implements Dataset.Cursor {
    /** What the queue carries: an element, the end, or the loader's failure. */
    private record Slot(HeldElement element, Throwable failure) {
        static final Slot END = new Slot(null, null);
    }

    private final BlockingQueue<Slot> queue;
    private final Thread thread;
    private volatile boolean stopping;
    private boolean done;

    Prefetcher(Supplier<Dataset.Cursor> upstream, int buffer) {
        this.queue = new ArrayBlockingQueue<>(buffer);
        this.thread = Thread.ofPlatform().daemon().name("isthmus-prefetch").unstarted(() -> produce(upstream));
        thread.start();
    }

    private void produce(Supplier<Dataset.Cursor> upstream) {
        Slot last = Slot.END;
        try (Dataset.Cursor c = upstream.get()) {
            while (!stopping) {
                HeldElement e = HeldElement.take(c::next);
                if (e == null) {
                    break;
                }
                try {
                    queue.put(new Slot(e, null));
                } catch (InterruptedException stop) {
                    e.discard();
                    return;
                }
            }
        } catch (Throwable t) {
            last = new Slot(null, t);
        }
        try {
            queue.put(last);
        } catch (InterruptedException stop) {
            // closing: nobody waits for the end any more
        }
    }

    @Override
    public Tensor[] next() {
        if (done) {
            return null;
        }
        Slot s;
        try {
            s = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatasetException("interrupted while waiting for a prefetched element", e);
        }
        if (s.element() != null) {
            return s.element().release();
        }
        done = true;
        join();
        if (s.failure() != null) {
            throw new DatasetException("the dataset's loader failed on the prefetch thread: " + s.failure(), s.failure());
        }
        return null;
    }

    @Override
    public void close() {
        done = true;
        stopping = true;
        boolean interrupted = false;
        // draining while waiting: a producer blocked on a full queue (or deaf to interrupts) still gets out
        while (thread.isAlive()) {
            thread.interrupt();
            discardQueued();
            try {
                thread.join(20);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        discardQueued();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void discardQueued() {
        Slot s;
        while ((s = queue.poll()) != null) {
            if (s.element() != null) {
                s.element().discard();
            }
        }
    }

    private void join() {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
