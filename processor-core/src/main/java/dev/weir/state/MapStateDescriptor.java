package dev.weir.state;

import dev.weir.StateSerializer;
import java.util.Optional;

/** Declares a {@link MapState}. */
public record MapStateDescriptor<UK, UV>(
        String name, StateSerializer<UK> keySerializer, StateSerializer<UV> valueSerializer)
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
        return valueSerializer.schema();
    }

    @Override
    public Optional<String> keySchema() {
        return Optional.of(keySerializer.schema());
    }
}
