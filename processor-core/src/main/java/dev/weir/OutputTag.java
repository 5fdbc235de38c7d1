package dev.weir;

/**
 * Names a side output of a keyed operator: a second stream, besides its main output, that a
 * function writes with {@link KeyedProcessFunction.Context#output} and a job reads with {@link
 * DataStream#sideOutput}. Late records of a window are the usual example. Tags are equal when their
 * ids are.
 *
 * @param id 1-100 characters of {@code [A-Za-z0-9._-]}
 */
public record OutputTag<K, V>(String id) {
    public OutputTag {
        if (id == null || !id.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IllegalArgumentException(
                    "an output tag's id must be 1-100 characters of [A-Za-z0-9._-], got '"
                            + id
                            + "'");
        }
    }
}
