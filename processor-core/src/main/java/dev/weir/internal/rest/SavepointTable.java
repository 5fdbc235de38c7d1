package dev.weir.internal.rest;

import dev.weir.internal.SavepointRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The savepoint and stop requests made through the endpoint, so {@code GET /savepoints/{id}} can
 * report them: at most {@link #CAPACITY}, oldest first; beyond that the oldest ended request goes
 * (the oldest of all if none ended). Thread-safe.
 */
final class SavepointTable {
    static final int CAPACITY = 100;

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private static final class Entry {
        final SavepointRequest request;
        boolean reportedEnded;

        Entry(SavepointRequest request) {
            this.request = request;
        }
    }

    synchronized void add(SavepointRequest r) {
        put(r, false);
    }

    /**
     * Adds a request made through the API, not this endpoint: listed, but no client of the endpoint
     * polls for it, so closing does not wait for it to be reported.
     */
    synchronized void addFromApi(SavepointRequest r) {
        if (!entries.containsKey(r.id())) {
            put(r, true);
        }
    }

    private void put(SavepointRequest r, boolean reported) {
        Entry entry = new Entry(r);
        entry.reportedEnded = reported;
        entries.put(r.id(), entry);
        if (entries.size() > CAPACITY) {
            Iterator<Entry> it = entries.values().iterator();
            String victim = null;
            while (it.hasNext()) {
                Entry e = it.next();
                if (victim == null) {
                    victim = e.request.id();
                }
                if (ended(e.request)) {
                    victim = e.request.id();
                    break;
                }
            }
            entries.remove(victim);
        }
    }

    /** The request, marked as reported if it ended (see {@link #awaitStopsReported}). */
    synchronized Optional<SavepointRequest> get(String id) {
        Entry e = entries.get(id);
        if (e == null) {
            return Optional.empty();
        }
        if (ended(e.request)) {
            e.reportedEnded = true;
            notifyAll();
        }
        return Optional.of(e.request);
    }

    synchronized List<SavepointRequest> all() {
        List<SavepointRequest> all = new ArrayList<>();
        entries.values().forEach(e -> all.add(e.request));
        return all;
    }

    /**
     * Waits, at most {@code max}, until every stop request that completed has been reported once:
     * the endpoint closes when the job stopped, and the client polling for the stop should still
     * get its answer.
     */
    synchronized void awaitStopsReported(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (entries.values().stream()
                .anyMatch(
                        e ->
                                e.request.stopAfter()
                                        && e.request.phase() == SavepointRequest.Phase.COMPLETED
                                        && !e.reportedEnded)) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return;
            }
            wait(left);
        }
    }

    private static boolean ended(SavepointRequest r) {
        SavepointRequest.Phase p = r.phase();
        return p == SavepointRequest.Phase.COMPLETED || p == SavepointRequest.Phase.FAILED;
    }
}
