package dev.weir.serdes.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weir.WeirException;
import dev.weir.serdes.avro.internal.WireFormat;
import org.junit.jupiter.api.Test;

/** The wire format's header byte for byte, without a registry. */
class WireFormatTest {
    @Test
    void theHeaderIsMagicZeroThenTheIdBigEndian() {
        assertThat(WireFormat.header(0x01020304)).containsExactly(0, 1, 2, 3, 4);
        assertThat(WireFormat.header(255)).containsExactly(0, 0, 0, 0, 0xff);
        byte[] record = {0, 0x7f, (byte) 0xff, 0, 1, 42};
        assertThat(WireFormat.schemaId(record, "t")).isEqualTo(0x7fff0001);
        assertThat(WireFormat.schemaId(WireFormat.header(Integer.MAX_VALUE), "t"))
                .isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void anotherMagicByteOrAShortRecordIsRefusedNamingWhatWasFound() {
        assertThatThrownBy(() -> WireFormat.schemaId(new byte[] {(byte) 0xc3, 0, 0, 0, 1}, "t"))
                .isInstanceOf(WeirException.class)
                .hasMessageContaining("magic byte 0xc3");
        assertThatThrownBy(() -> WireFormat.schemaId(new byte[0], "t"))
                .hasMessageContaining("0 bytes");
    }
}
