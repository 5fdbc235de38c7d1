package dev.weir.state;

import dev.weir.StateSerializer;

/** Declares a {@link ValueState}. */
public record ValueStateDescriptor<T>(String name, StateSerializer<T> serializer)
        implements StateDescriptor {
    public ValueStateDescriptor {
        StateDescriptor.checkName(name);
    }

    @Override
    public String kind() {
        return "value";
    }

    @Override
    public String valueSchema() {
        return serializer.schema();
    }
}
