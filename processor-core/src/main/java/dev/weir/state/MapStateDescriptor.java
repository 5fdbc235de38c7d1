package dev.weir.state;

import dev.weir.Serde;

/** Declares a {@link MapState}. */
public record MapStateDescriptor<UK, UV>(String name, Serde<UK> keySerde, Serde<UV> valueSerde)
        implements StateDescriptor {
    public MapStateDescriptor {
        StateDescriptor.checkName(name);
    }

    @Override
    public String kind() {
        return "map";
    }

    @Override
    public String serializerSchema() {
        return keySerde.schema() + "->" + valueSerde.schema();
    }
}
