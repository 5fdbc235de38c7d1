package dev.weir.internal;

import dev.weir.StateSerializer;
import dev.weir.SubtaskInfo;
import dev.weir.UnrecoverableJobException;
import dev.weir.format.StateInfo;
import dev.weir.state.ListStateDescriptor;
import dev.weir.state.MapStateDescriptor;
import dev.weir.state.StateDescriptor;
import dev.weir.state.ValueStateDescriptor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * State schema evolution at restore: when a state's serializer schema differs from the one its
 * checkpoint recorded, the serde says how to read the old bytes ({@link
 * StateSerializer#migrationFrom}), and every stored value is rewritten in the new format before the
 * state is used — so the backend never holds values of two formats. An incompatible change fails
 * the restore naming the operator, the state and the reason.
 */
final class StateMigration {
    private static final Logger LOG = LoggerFactory.getLogger(StateMigration.class);

    private StateMigration() {}

    /**
     * Rewrites the stored values of {@code d}, whose schemas differ from {@code old}, what the
     * checkpoint recorded (for a map state, with key and value schemas apart).
     */
    static void migrate(
            SubtaskInfo subtask,
            StateDescriptor d,
            StateInfo old,
            RocksDB db,
            ColumnFamilyHandle cf,
            WriteOptions writeOptions) {
        StateSerializer<?> serde;
        String writerSchema = old.valueSchema();
        if (d instanceof ValueStateDescriptor<?> v) {
            serde = v.serializer();
        } else if (d instanceof ListStateDescriptor<?> l) {
            serde = l.elementSerializer();
        } else {
            MapStateDescriptor<?, ?> m = (MapStateDescriptor<?, ?>) d;
            String oldKey = old.keySchema().orElse("");
            if (!oldKey.equals(m.keySerializer().schema())) {
                throw incompatible(
                        subtask,
                        d,
                        "the schema of its map keys changed from '"
                                + oldKey
                                + "' to '"
                                + m.keySerializer().schema()
                                + "'; map keys cannot be migrated");
            }
            serde = m.valueSerializer();
        }
        Optional<UnaryOperator<byte[]>> conversion;
        try {
            conversion = serde.migrationFrom(writerSchema);
        } catch (RuntimeException e) {
            throw incompatible(subtask, d, e.getMessage());
        }
        if (conversion.isEmpty()) {
            return;
        }
        UnaryOperator<byte[]> convert =
                d instanceof ListStateDescriptor<?>
                        ? bytes -> convertList(bytes, conversion.get())
                        : conversion.get();
        long n = 0;
        try (RocksIterator it = db.newIterator(cf);
                WriteBatch batch = new WriteBatch()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] converted;
                try {
                    converted = convert.apply(it.value());
                } catch (RuntimeException e) {
                    throw incompatible(subtask, d, "a stored value cannot be read: " + e);
                }
                batch.put(cf, it.key(), converted);
                if (++n % 10_000 == 0) {
                    db.write(writeOptions, batch);
                    batch.clear();
                }
            }
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new UnrecoverableJobException(
                    subtask + ": migrating state '" + d.name() + "' failed: " + e, e);
        }
        LOG.info(
                "{}: migrated {} values of state '{}' to its new serializer schema",
                subtask,
                n,
                d.name());
    }

    private static byte[] convertList(byte[] bytes, UnaryOperator<byte[]> element) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int count = in.getInt();
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        out.writeBytes(ByteBuffer.allocate(4).putInt(count).array());
        for (int i = 0; i < count; i++) {
            byte[] e = new byte[in.getInt()];
            in.get(e);
            byte[] c = element.apply(e);
            out.writeBytes(ByteBuffer.allocate(4).putInt(c.length).array());
            out.writeBytes(c);
        }
        return out.toByteArray();
    }

    private static UnrecoverableJobException incompatible(
            SubtaskInfo subtask, StateDescriptor d, String why) {
        return new UnrecoverableJobException(
                "operator '"
                        + subtask.operatorUid()
                        + "': state '"
                        + d.name()
                        + "' cannot be restored: its serializer changed incompatibly: "
                        + why);
    }
}
