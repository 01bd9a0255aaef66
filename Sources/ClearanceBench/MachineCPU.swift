import Foundation

/// The whole machine's CPU time as the kernel counts it (the `cpu` line of `/proc/stat`), so that
/// a run can say how much of it the host took back. On a virtual machine the hypervisor may run
/// other guests on this machine's CPUs ("steal"): every thread then waits longer for its turn,
/// and a check that hands work between three threads (the caller, the event loop, the server)
/// waits three times. Runs of the same binary gave a PostgreSQL check p99 of 4-6 ms with
/// little steal and about 15 ms with a third of the time stolen; this line tells the two apart.
struct MachineCPU {
    /// Clock ticks spent running anything (user, nice, system, interrupts).
    let busy: UInt64
    /// Ticks idle, or waiting for the disk with nothing else to run.
    let idle: UInt64
    /// Ticks the host ran something else while this machine had work to run.
    let stolen: UInt64

    /// The counts since boot; nil where there is no `/proc/stat` or it reads unlike Linux's.
    static func now() -> MachineCPU? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        return parse(text)
    }

    /// Reads the first line: `cpu user nice system idle iowait irq softirq steal …`. Kernels
    /// before 2.6.11 have no steal column; those read as no steal.
    static func parse(_ text: String) -> MachineCPU? {
        guard let line = text.split(separator: "\n", maxSplits: 1).first else { return nil }
        let fields = line.split(separator: " ")
        guard fields.first == "cpu", fields.count >= 8 else { return nil }
        let ticks = fields.dropFirst().prefix(8).compactMap { UInt64($0) }
        guard ticks.count == min(8, fields.count - 1) else { return nil }
        func tick(_ index: Int) -> UInt64 { index < ticks.count ? ticks[index] : 0 }
        return MachineCPU(busy: tick(0) + tick(1) + tick(2) + tick(5) + tick(6), idle: tick(3) + tick(4), stolen: tick(7))
    }

    /// What has been counted since `earlier`; nil when either reading failed.
    static func since(_ earlier: MachineCPU?) -> MachineCPU? {
        guard let earlier, let now = now() else { return nil }
        return now.since(earlier)
    }

    /// What was counted between `earlier` and this.
    func since(_ earlier: MachineCPU) -> MachineCPU {
        MachineCPU(busy: busy &- earlier.busy, idle: idle &- earlier.idle, stolen: stolen &- earlier.stolen)
    }

    /// "the host took 34% of the machine's CPU time (steal); it was busy 45% and idle 21%".
    var line: String {
        let total = Double(max(1, busy + idle + stolen))
        func share(_ ticks: UInt64) -> String { "\(Int((Double(ticks) / total * 100).rounded()))%" }
        return "the host took \(share(stolen)) of this machine's CPU time (steal: other guests run on its CPUs, and every thread "
            + "waits longer for its turn); the machine was busy \(share(busy)) and idle \(share(idle))"
    }
}
