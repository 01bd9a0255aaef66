import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CPU time used by the calling thread and by the whole process, and how often the kernel took
/// the CPU away from the thread, so that a slow check can be told apart: one that worked long
/// (the client's code, on this thread or the event loop's), or one that waited (the server, or
/// a machine busy with something else).
struct CPUTime {
    /// CPU time this thread has used, in milliseconds.
    let thread: Double
    /// CPU time all of the process's threads have used, in milliseconds.
    let process: Double
    /// Times the kernel switched this thread out while it could have run.
    let preempted: Int

    static func now() -> CPUTime {
        func milliseconds(_ clock: clockid_t) -> Double {
            var time = timespec()
            clock_gettime(clock, &time)
            return Double(time.tv_sec) * 1e3 + Double(time.tv_nsec) / 1e6
        }
        var usage = rusage()
        // RUSAGE_THREAD, which glibc names only under _GNU_SOURCE (Linux, since 2.6.26).
        getrusage(1, &usage)
        return CPUTime(thread: milliseconds(CLOCK_THREAD_CPUTIME_ID), process: milliseconds(CLOCK_PROCESS_CPUTIME_ID),
                       preempted: usage.ru_nivcsw)
    }

    /// What was used between `earlier` and this.
    func since(_ earlier: CPUTime) -> CPUTime {
        CPUTime(thread: thread - earlier.thread, process: process - earlier.process, preempted: preempted - earlier.preempted)
    }
}
