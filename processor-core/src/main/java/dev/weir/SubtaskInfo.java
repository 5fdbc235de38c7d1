package dev.weir;

/** Which subtask of which operator code runs in; handy for logs and metrics. */
public record SubtaskInfo(String jobName, String operatorUid, int subtask, int parallelism) {
    @Override
    public String toString() {
        return jobName + "/" + operatorUid + "#" + subtask;
    }
}
