package dev.weir.internal;

import dev.weir.FilterFunction;
import dev.weir.FlatMapFunction;
import dev.weir.MapFunction;
import dev.weir.Record;
import dev.weir.SubtaskInfo;
import dev.weir.WeirException;

/** The map, filter and flatMap operators. */
final class StatelessOperators {
    private StatelessOperators() {}

    static WeirException userFailure(SubtaskInfo where, String what, Exception e) {
        return new WeirException(where + ": " + what + " threw " + e, e);
    }

    static final class Map extends ChainOperator {
        private final MapFunction<Object, Object, Object, Object> fn;
        private final SubtaskInfo where;

        @SuppressWarnings("unchecked")
        Map(MapFunction<?, ?, ?, ?> fn, SubtaskInfo where) {
            this.fn = (MapFunction<Object, Object, Object, Object>) fn;
            this.where = where;
        }

        @Override
        public void emit(Record<Object, Object> r) {
            Record<Object, Object> out;
            try {
                out = fn.map(r);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw userFailure(where, "map function", e);
            }
            next.emit(out);
        }
    }

    static final class Filter extends ChainOperator {
        private final FilterFunction<Object, Object> fn;
        private final SubtaskInfo where;

        @SuppressWarnings("unchecked")
        Filter(FilterFunction<?, ?> fn, SubtaskInfo where) {
            this.fn = (FilterFunction<Object, Object>) fn;
            this.where = where;
        }

        @Override
        public void emit(Record<Object, Object> r) {
            boolean keep;
            try {
                keep = fn.test(r);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw userFailure(where, "filter function", e);
            }
            if (keep) {
                next.emit(r);
            }
        }
    }

    static final class FlatMap extends ChainOperator {
        private final FlatMapFunction<Object, Object, Object, Object> fn;
        private final SubtaskInfo where;

        @SuppressWarnings("unchecked")
        FlatMap(FlatMapFunction<?, ?, ?, ?> fn, SubtaskInfo where) {
            this.fn = (FlatMapFunction<Object, Object, Object, Object>) fn;
            this.where = where;
        }

        @Override
        public void emit(Record<Object, Object> r) {
            try {
                fn.flatMap(r, next);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw userFailure(where, "flatMap function", e);
            }
        }
    }
}
