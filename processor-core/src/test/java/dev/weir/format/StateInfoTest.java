package dev.weir.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class StateInfoTest {
    private static final String KEY = "avro:{\"doc\":\"from -> to\"}";
    private static final String VALUE = "avro:{\"doc\":\"a->b\"}";

    private static StateInfo joined(String schema) {
        return new StateInfo("m", "map", Optional.empty(), schema);
    }

    @Test
    void aJoinedMapSchemaIsSplitAfterTheKeySchemaItIsRestoredWith() {
        assertThat(joined(KEY + "->" + VALUE).splitJoined(KEY))
                .isEqualTo(StateInfo.map("m", KEY, VALUE));
    }

    @Test
    void aJoinedMapSchemaOfAnotherKeySchemaKeepsADifferentKeySchema() {
        StateInfo split = joined("string:utf8->" + VALUE).splitJoined(KEY);

        assertThat(split.keySchema()).contains("string:utf8");
        assertThat(split.valueSchema()).isEqualTo(VALUE);
        assertThat(joined("no-arrow").splitJoined(KEY).keySchema()).isNotEqualTo(Optional.of(KEY));
    }

    @Test
    void statesWhoseSchemasAreApartAreLeftAsTheyAre() {
        StateInfo map = StateInfo.map("m", "k->", "v");
        StateInfo value = StateInfo.of("v", "value", KEY + "->" + VALUE);

        assertThat(map.splitJoined("k")).isSameAs(map);
        assertThat(value.splitJoined(KEY)).isSameAs(value);
    }

    @Test
    void onlyAMapStateHasAKeySchema() {
        assertThatThrownBy(() -> new StateInfo("v", "value", Optional.of("k"), "v"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'v'");
    }
}
