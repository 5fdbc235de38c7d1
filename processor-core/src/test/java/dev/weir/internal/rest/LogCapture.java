package dev.weir.internal.rest;

import java.io.StringWriter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/** Everything Weir logs while it is open (level, message, stack traces), for tests to search. */
final class LogCapture implements AutoCloseable {
    private final StringWriter out = new StringWriter();
    private final WriterAppender appender;
    private final LoggerConfig logger;

    LogCapture() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        appender =
                WriterAppender.newBuilder()
                        .setName("capture-" + System.nanoTime())
                        .setTarget(out)
                        .setLayout(PatternLayout.newBuilder().withPattern("%level %msg%n").build())
                        .build();
        appender.start();
        logger = context.getConfiguration().getLoggerConfig("dev.weir");
        logger.addAppender(appender, Level.ALL, null);
        context.updateLoggers();
    }

    String text() {
        synchronized (out) {
            return out.toString();
        }
    }

    @Override
    public void close() {
        logger.removeAppender(appender.getName());
        ((LoggerContext) LogManager.getContext(false)).updateLoggers();
        appender.stop();
    }
}
