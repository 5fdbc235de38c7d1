package dev.weir.state;

import dev.weir.StateSerializer;

/** Declares a {@link ListState}. */
public record ListStateDescriptor<T>(String name, StateSerializer<T> elementSerializer)
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
        return elementSerializer.schema();
    }
}
