package io.coldframe.common.ops;

import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The registry and JVM meters every service's {@value OpsServer#METRICS_PATH} starts from. */
public final class OpsMetrics {

    private OpsMetrics() {
    }

    public static PrometheusMeterRegistry newRegistry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    /**
     * Binds memory, GC, thread, class-loader, CPU and uptime meters (jvm_*, process_*, system_*) to {@code registry};
     * close the result with the service (it stops listening to GC notifications).
     */
    public static AutoCloseable bindJvm(MeterRegistry registry) {
        JvmGcMetrics gc = new JvmGcMetrics();
        for (var binder : List.of(new JvmMemoryMetrics(), new JvmThreadMetrics(), new ClassLoaderMetrics(), new ProcessorMetrics(),
                new UptimeMetrics(), gc)) {
            binder.bindTo(registry);
        }
        return gc;
    }
}
