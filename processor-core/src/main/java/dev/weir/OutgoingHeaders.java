package dev.weir;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The headers of a record a sink is writing, as its {@link RecordSerde} sees them: the record's own
 * headers, which the serializer may read, add to or remove from (a schema id, a content type). The
 * record's {@link Record#headers()} stay as they were; only what is written changes.
 *
 * <p>Not thread-safe. A connector keeps one instance per writer and {@link #reset}s it for every
 * record, so a serializer must not keep it beyond the call; nothing is allocated for a record whose
 * headers the serializer leaves alone.
 */
public final class OutgoingHeaders {
    private List<Header> original = List.of();
    private ArrayList<Header> changed;

    /** No headers; {@link #reset} sets a record's. */
    public OutgoingHeaders() {}

    /** The headers {@code headers}, as a serializer under test would get them. */
    public static OutgoingHeaders of(List<Header> headers) {
        OutgoingHeaders h = new OutgoingHeaders();
        h.reset(headers);
        return h;
    }

    /** Starts over with the headers of the next record; for connectors. */
    public void reset(List<Header> recordHeaders) {
        this.original = recordHeaders;
        this.changed = null;
    }

    /** Appends a header; names may repeat, as in Kafka. */
    public void add(String key, byte[] value) {
        if (key == null) {
            throw new IllegalArgumentException("a header needs a name");
        }
        mutable().add(new Header(key, value));
    }

    /** Removes every header named {@code key}. */
    public void remove(String key) {
        if (changed == null && original.stream().noneMatch(h -> h.key().equals(key))) {
            return;
        }
        mutable().removeIf(h -> h.key().equals(key));
    }

    /** The last header named {@code key}, if there is one. */
    public Optional<Header> lastHeader(String key) {
        List<Header> all = asList();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).key().equals(key)) {
                return Optional.of(all.get(i));
            }
        }
        return Optional.empty();
    }

    /** The headers to write, in order: the record's, with the serializers' changes. */
    public List<Header> asList() {
        return changed == null ? original : changed;
    }

    private ArrayList<Header> mutable() {
        if (changed == null) {
            changed = new ArrayList<>(original);
        }
        return changed;
    }
}
