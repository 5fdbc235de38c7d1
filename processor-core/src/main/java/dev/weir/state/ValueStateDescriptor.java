package dev.weir.state;

import dev.weir.Serde;

/** Declares a {@link ValueState}. */
public record ValueStateDescriptor<T>(String name, Serde<T> serde) implements StateDescriptor {
    public ValueStateDescriptor {
        StateDescriptor.checkName(name);
    }

    @Override
    public String kind() {
        return "value";
    }

    @Override
    public String valueSchema() {
        return serde.schema();
    }
}
