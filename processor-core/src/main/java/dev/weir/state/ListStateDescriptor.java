package dev.weir.state;

import dev.weir.Serde;

/** Declares a {@link ListState}. */
public record ListStateDescriptor<T>(String name, Serde<T> elementSerde)
        implements StateDescriptor {
    public ListStateDescriptor {
        StateDescriptor.checkName(name);
    }

    @Override
    public String kind() {
        return "list";
    }

    @Override
    public String valueSchema() {
        return elementSerde.schema();
    }
}
