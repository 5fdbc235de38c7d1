package dev.weir.internal;

import dev.weir.KeyedProcessFunction;
import dev.weir.SubtaskInfo;
import dev.weir.WeirException;
import dev.weir.state.KeyedStateStore;
import dev.weir.state.ListState;
import dev.weir.state.ListStateDescriptor;
import dev.weir.state.MapState;
import dev.weir.state.MapStateDescriptor;
import dev.weir.state.StateDescriptor;
import dev.weir.state.ValueState;
import dev.weir.state.ValueStateDescriptor;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Finds the states a keyed process function declares, without running it: opens a fresh instance
 * against a store that records each declaration and hands back state that refuses to be used, then
 * closes it. Used to plan an upgrade against a savepoint (docs/savepoint-tools.md).
 */
public final class StateDeclarations {
    private StateDeclarations() {}

    public static List<StateDescriptor> of(
            String jobName, String uid, Supplier<? extends KeyedProcessFunction<?, ?, ?, ?>> f) {
        List<StateDescriptor> declared = new ArrayList<>();
        KeyedStateStore recorder =
                new KeyedStateStore() {
                    @Override
                    public <T> ValueState<T> valueState(ValueStateDescriptor<T> d) {
                        declared.add(d);
                        return unusable(ValueState.class, uid, d.name());
                    }

                    @Override
                    public <T> ListState<T> listState(ListStateDescriptor<T> d) {
                        declared.add(d);
                        return unusable(ListState.class, uid, d.name());
                    }

                    @Override
                    public <UK, UV> MapState<UK, UV> mapState(MapStateDescriptor<UK, UV> d) {
                        declared.add(d);
                        return unusable(MapState.class, uid, d.name());
                    }
                };
        KeyedProcessFunction<?, ?, ?, ?> fn = f.get();
        try {
            fn.open(
                    new Contexts.Open(
                            recorder,
                            new SubtaskInfo(jobName, uid, 0, 1),
                            new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
            fn.close();
        } catch (Exception e) {
            throw new WeirException(
                    uid + ": opening the process function to list its states failed: " + e, e);
        }
        return List.copyOf(declared);
    }

    @SuppressWarnings("unchecked")
    private static <S> S unusable(Class<?> type, String uid, String name) {
        return (S)
                Proxy.newProxyInstance(
                        type.getClassLoader(),
                        new Class<?>[] {type},
                        (proxy, method, args) -> {
                            if (method.getDeclaringClass() == Object.class) {
                                return switch (method.getName()) {
                                    case "hashCode" -> System.identityHashCode(proxy);
                                    case "equals" -> proxy == args[0];
                                    default -> uid + "/" + name + " (declaration only)";
                                };
                            }
                            throw new WeirException(
                                    uid
                                            + ": state '"
                                            + name
                                            + "' used while the job is only being described;"
                                            + " declare state in open(), use it in process()");
                        });
    }
}
