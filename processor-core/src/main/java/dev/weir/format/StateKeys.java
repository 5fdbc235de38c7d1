package dev.weir.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How keyed state is laid out in bytes, shared by the RocksDB backend, the canonical savepoint
 * files and the offline tools (docs/savepoint-format.md):
 *
 * <ul>
 *   <li>A RocksDB key is the 2-byte big-endian key group followed by the <em>canonical key</em>; a
 *       canonical key-group file stores canonical keys.
 *   <li>The canonical key of a value or list state is the serialized record key. Of a map state
 *       entry: the key's length (int32), the key, then the serialized user key — so all entries of
 *       one record key are contiguous, and the record key can be found without the user key's
 *       serde.
 *   <li>A list state's value is its element count (int32) followed by each element as an int32
 *       length and its bytes.
 * </ul>
 *
 * The key group of every entry is that of its record key ({@link KeyGroups#of}), so a map's user
 * keys always move with their record key.
 *
 * <p>Timers are two map states of the keyed operator with reserved names ({@link
 * #TIMERS_EVENT_TIME}, {@link #TIMERS_PROCESSING_TIME}): the user key is the timer's timestamp in 8
 * bytes, big-endian with the sign bit flipped (so byte order is time order), the value empty. A
 * timer is therefore keyed state of its record key like any other and moves with its key group.
 */
public final class StateKeys {
    /** Bytes of the key-group prefix of a RocksDB key. */
    public static final int KEY_GROUP_BYTES = 2;

    /** The kinds of state, as {@link StateInfo#kind()} names them. */
    public static final String VALUE = "value";

    public static final String LIST = "list";
    public static final String MAP = "map";

    /** The state holding a keyed operator's event-time timers. */
    public static final String TIMERS_EVENT_TIME = "_weir.timers.event-time";

    /** The state holding a keyed operator's processing-time timers. */
    public static final String TIMERS_PROCESSING_TIME = "_weir.timers.processing-time";

    /** State names starting with this are Weir's own; a job cannot declare them. */
    public static final String RESERVED_PREFIX = "_weir.";

    /** The key schema of the timer states: version 1 of the timestamp encoding. */
    public static final String TIMER_KEY_SCHEMA =
            "weir.timer-timestamp:v1(int64 big-endian, sign bit flipped)";

    /** The value schema of the timer states: nothing. */
    public static final String TIMER_VALUE_SCHEMA = "weir.timer:v1(empty)";

    private StateKeys() {}

    /** The user key of a timer at {@code timestamp}. */
    public static byte[] timerUserKey(long timestamp) {
        long v = timestamp ^ Long.MIN_VALUE;
        byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }

    /**
     * The timestamp of a timer's user key.
     *
     * @throws IllegalArgumentException if it is not 8 bytes
     */
    public static long timerTimestamp(byte[] userKey) {
        if (userKey.length != 8) {
            throw new IllegalArgumentException(
                    "a timer's user key has 8 bytes, got " + userKey.length);
        }
        long v = 0;
        for (byte x : userKey) {
            v = (v << 8) | (x & 0xff);
        }
        return v ^ Long.MIN_VALUE;
    }

    /** The 2-byte prefix of every RocksDB key in {@code keyGroup}. */
    public static byte[] keyGroupPrefix(int keyGroup) {
        return new byte[] {(byte) (keyGroup >>> 8), (byte) keyGroup};
    }

    /** The key group of a RocksDB key. */
    public static int keyGroupOf(byte[] rocksKey) {
        return ((rocksKey[0] & 0xff) << 8) | (rocksKey[1] & 0xff);
    }

    /** {@code canonicalKey} behind its key group: a RocksDB key. */
    public static byte[] withKeyGroup(int keyGroup, byte[] canonicalKey) {
        byte[] k = new byte[KEY_GROUP_BYTES + canonicalKey.length];
        k[0] = (byte) (keyGroup >>> 8);
        k[1] = (byte) keyGroup;
        System.arraycopy(canonicalKey, 0, k, KEY_GROUP_BYTES, canonicalKey.length);
        return k;
    }

    /** The canonical key of a RocksDB key (without its key group). */
    public static byte[] canonicalKey(byte[] rocksKey) {
        return Arrays.copyOfRange(rocksKey, KEY_GROUP_BYTES, rocksKey.length);
    }

    /**
     * The RocksDB prefix shared by every map entry of the record key in {@code rocksKey} (key group
     * and serialized record key): key group, key length, key.
     */
    public static byte[] mapPrefix(byte[] rocksKey) {
        int keyLen = rocksKey.length - KEY_GROUP_BYTES;
        byte[] p = new byte[rocksKey.length + 4];
        p[0] = rocksKey[0];
        p[1] = rocksKey[1];
        p[2] = (byte) (keyLen >>> 24);
        p[3] = (byte) (keyLen >>> 16);
        p[4] = (byte) (keyLen >>> 8);
        p[5] = (byte) keyLen;
        System.arraycopy(rocksKey, KEY_GROUP_BYTES, p, 6, keyLen);
        return p;
    }

    /** The canonical key of a map entry. */
    public static byte[] mapEntryKey(byte[] recordKey, byte[] userKey) {
        byte[] k = new byte[4 + recordKey.length + userKey.length];
        int n = recordKey.length;
        k[0] = (byte) (n >>> 24);
        k[1] = (byte) (n >>> 16);
        k[2] = (byte) (n >>> 8);
        k[3] = (byte) n;
        System.arraycopy(recordKey, 0, k, 4, n);
        System.arraycopy(userKey, 0, k, 4 + n, userKey.length);
        return k;
    }

    /**
     * The serialized record key inside a canonical key of a state of {@code kind}: what the key
     * group is computed from.
     *
     * @throws IllegalArgumentException if a map entry's key is shorter than its length says
     */
    public static byte[] recordKey(String kind, byte[] canonicalKey) {
        if (!MAP.equals(kind)) {
            return canonicalKey;
        }
        int n = recordKeyLength(canonicalKey);
        return Arrays.copyOfRange(canonicalKey, 4, 4 + n);
    }

    /** The serialized user key of a map entry's canonical key. */
    public static byte[] userKey(byte[] canonicalMapKey) {
        int n = recordKeyLength(canonicalMapKey);
        return Arrays.copyOfRange(canonicalMapKey, 4 + n, canonicalMapKey.length);
    }

    private static int recordKeyLength(byte[] k) {
        if (k.length < 4) {
            throw new IllegalArgumentException(
                    "map entry key of " + k.length + " bytes has no key length");
        }
        int n =
                ((k[0] & 0xff) << 24)
                        | ((k[1] & 0xff) << 16)
                        | ((k[2] & 0xff) << 8)
                        | (k[3] & 0xff);
        if (n < 0 || 4 + n > k.length) {
            throw new IllegalArgumentException(
                    "map entry key of " + k.length + " bytes claims a record key of " + n);
        }
        return n;
    }

    /** The elements of a list state's value. */
    public static List<byte[]> listElements(byte[] value) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(value);
        int n = b.getInt();
        if (n < 0) {
            throw new IllegalArgumentException("list of " + n + " elements");
        }
        List<byte[]> out = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            byte[] e = new byte[b.getInt()];
            b.get(e);
            out.add(e);
        }
        return out;
    }

    /** A list state's value holding {@code elements}. */
    public static byte[] listValue(List<byte[]> elements) {
        int size = 4;
        for (byte[] e : elements) {
            size += 4 + e.length;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(size);
        b.putInt(elements.size());
        for (byte[] e : elements) {
            b.putInt(e.length).put(e);
        }
        return b.array();
    }
}
