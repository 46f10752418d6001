package io.coldframe.segment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/** The small thread pool that parallelises QR encoding/decoding, record encoding and compression. */
final class Workers {
    private static final AtomicInteger POOL_SEQ = new AtomicInteger();

    private Workers() {
    }

    static ExecutorService pool(int threads) {
        int poolId = POOL_SEQ.incrementAndGet();
        AtomicInteger seq = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "coldframe-segment-" + poolId + "-" + seq.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        return Executors.newFixedThreadPool(threads, tf);
    }

    /** Waits for a task, rethrowing its failure unwrapped. */
    static <T> T join(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IOException(c);
        }
    }

    /** Computes fn(0..n-1) on the pool in contiguous chunks, results in index order. */
    static <T> List<T> map(ExecutorService pool, int threads, int n, IntFunction<T> fn) throws IOException {
        List<T> out = new ArrayList<>(n);
        if (n == 0) {
            return out;
        }
        int chunks = Math.min(n, threads * 4);
        List<Future<List<T>>> futures = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            futures.add(pool.submit(() -> {
                List<T> part = new ArrayList<>(to - from);
                for (int i = from; i < to; i++) {
                    part.add(fn.apply(i));
                }
                return part;
            }));
        }
        for (Future<List<T>> f : futures) {
            out.addAll(join(f));
        }
        return out;
    }
}
