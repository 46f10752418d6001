package io.coldframe.testkit.faults;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

import io.coldframe.testkit.ProgressMarkers;
import io.coldframe.testkit.ServiceMain;

/**
 * The child JVM of the fault tests: an archiver worker or the purger exactly as {@link ServiceMain} runs it, plus one
 * optional trap. With {@code COLDFRAME_FAULT_FREEZE_AT=<step>} (or {@code <step>#<n>} for its n-th occurrence) the
 * service prints {@code COLDFRAME-PROGRESS frozen <step> <details>} when it reaches that step and then holds its
 * thread there for good, so the test sees where it is and kills it with SIGKILL at exactly that point.
 */
public final class FaultChildMain {

    public static final String FREEZE_AT = "COLDFRAME_FAULT_FREEZE_AT";

    private FaultChildMain() {
    }

    public static void main(String[] args) throws IOException {
        String freezeAt = System.getenv(FREEZE_AT);
        ProgressMarkers.Gate gate = ProgressMarkers.Gate.OPEN;
        if (freezeAt != null && !freezeAt.isBlank()) {
            String[] spec = freezeAt.trim().split("#");
            String step = spec[0];
            int occurrence = spec.length > 1 ? Integer.parseInt(spec[1]) : 1;
            AtomicInteger seen = new AtomicInteger();
            gate = (passed, detail) -> {
                if (passed.equals(step) && seen.incrementAndGet() == occurrence) {
                    synchronized (System.out) {
                        System.out.println(ProgressMarkers.PREFIX + "frozen " + passed + (detail.isEmpty() ? "" : " " + detail));
                        System.out.flush();
                    }
                    holdForever();
                }
            };
        }
        ServiceMain.run(args[0], gate);
    }

    private static void holdForever() {
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // held until SIGKILL
            }
        }
    }
}
