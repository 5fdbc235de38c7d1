package dev.weir.state;

import dev.weir.Serde;
import java.util.Optional;

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
    public String valueSchema() {
        return valueSerde.schema();
    }

    @Override
    public Optional<String> keySchema() {
        return Optional.of(keySerde.schema());
    }
}
