package dev.weir.window;

import dev.weir.OutputTag;
import dev.weir.Record;
import dev.weir.StateSerializer;
import dev.weir.state.ListState;
import dev.weir.state.ListStateDescriptor;
import java.util.ArrayList;
import java.util.List;

/**
 * Windows that keep their elements for a {@link ProcessWindowFunction}. Each record is stored once
 * per key, with its timestamp, in list state {@value Windows#ELEMENTS_STATE}, however many windows
 * it is in: a window's elements are the key's elements whose timestamp it covers (sessions of a key
 * never overlap, so merging moves nothing). State {@value Windows#SLOTS_STATE} holds the windows
 * without accumulators. An element goes once no open window of its key covers it.
 */
final class BufferingWindows<K, V, KO, VO> extends WindowOperator<K, V, KO, VO> {
    private final StateSerializer<V> elementSerde;
    private final ProcessWindowFunction<K, V, KO, VO> windowFn;
    private ListState<Element<V>> elements;

    BufferingWindows(
            WindowAssigner<?> assigner,
            long lateness,
            OutputTag<K, V> lateTag,
            ProcessWindowFunction<K, V, KO, VO> windowFn,
            StateSerializer<V> elementSerde) {
        super(assigner, lateness, lateTag, null);
        this.windowFn = windowFn;
        this.elementSerde = elementSerde;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        super.open(context);
        elements =
                context.state()
                        .listState(
                                new ListStateDescriptor<>(
                                        Windows.ELEMENTS_STATE,
                                        new Element.Serializer<>(elementSerde)));
    }

    @Override
    void addTo(WindowSlots slots, int i, V value) {}

    @Override
    void added(Record<K, V> record) {
        elements.add(new Element<>(record.timestamp(), record.value()));
    }

    @Override
    Object mergeContents(WindowSlots slots, int first, int last) {
        return null;
    }

    /** Emits the due windows, then keeps the elements that an open window still covers. */
    @Override
    void fire(K key, WindowSlots slots, boolean[] due, OnTimerContext<K, KO, VO> ctx)
            throws Exception {
        List<Element<V>> all = elements.get();
        for (int i = 0; i < due.length; i++) {
            if (due[i]) {
                List<V> in = new ArrayList<>();
                for (Element<V> e : all) {
                    if (slots.start(i) <= e.timestamp() && e.timestamp() < slots.end(i)) {
                        in.add(e.value());
                    }
                }
                windowFn.process(key, slots.window(i), in, ctx);
            }
        }
        List<Element<V>> kept = new ArrayList<>();
        for (Element<V> e : all) {
            if (coveredByOpen(slots, due, e.timestamp())) {
                kept.add(e);
            }
        }
        if (kept.isEmpty()) {
            elements.clear();
        } else if (kept.size() < all.size()) {
            elements.update(kept);
        }
    }

    private static boolean coveredByOpen(WindowSlots slots, boolean[] due, long ts) {
        for (int i = 0; i < slots.size(); i++) {
            if (!due[i] && slots.start(i) <= ts && ts < slots.end(i)) {
                return true;
            }
        }
        return false;
    }
}
