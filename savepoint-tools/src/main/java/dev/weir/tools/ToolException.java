package dev.weir.tools;

import dev.weir.WeirException;

/**
 * A request the savepoint tools refuse before writing anything (an impossible parallelism, an
 * output inside the input, an unknown operator uid), or a problem they found in a checkpoint or
 * savepoint. The message says what and, where it can, what to do instead.
 */
public class ToolException extends WeirException {
    private final boolean refused;

    private ToolException(String message, boolean refused, Throwable cause) {
        super(message, cause);
        this.refused = refused;
    }

    /** The request cannot be carried out as given; nothing was written. */
    public static ToolException refused(String message) {
        return new ToolException(message, true, null);
    }

    /** The input is damaged or incomplete. */
    public static ToolException problem(String message, Throwable cause) {
        return new ToolException(message, false, cause);
    }

    /** True for a refused request, false for a problem found in the input. */
    public boolean isRefusal() {
        return refused;
    }
}
