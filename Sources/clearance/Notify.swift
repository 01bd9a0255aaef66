import ArgumentParser
import ClearanceApp
import ClearanceCore
import Foundation

struct Notify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send due notices by email: receipts, renewal reminders, re-consent at the age of consent, the DPO's digest.",
        discussion: """
            Needs an "smtp" section and "publicURL" in --config. First queues what has become due \
            (a reminder renewalNoticeDays before a consent ends, a note to the guardian of a child \
            about to reach the age of consent, the daily or weekly digest to dpoEmail), then sends \
            every queued notice that is due. Each notice is marked sent only after the mail server \
            accepted it; one that was not is kept and tried again after a back-off (5 minutes, \
            doubling, at most a day). Running it twice queues and sends nothing twice.

            Exit 0: everything due was sent. Exit 1: a notice was not accepted (it waits for the \
            next run) or a notice is in doubt: a sender stopped between handing it over and \
            recording the answer, so it may have arrived; it is never resent by itself \
            (--release ID puts it back in the queue). Exit 2: bad configuration or input.
            """
    )

    @OptionGroup var options: DatabaseOptions
    @Option(help: "Judge what is due as of this day (YYYY-MM-DD, today or later); it also counts as that day's end for back-offs.")
    var at: String?
    @Option(help: ArgumentHelp("Put a notice stuck in 'sending' back in the queue (it may be delivered twice).", valueName: "id"))
    var release: Int64?
    @Flag(help: "List the outbox (no content, which is sealed) and send nothing.") var list = false

    func run() throws {
        let operations = try options.open(forWriting: true)
        if list {
            for entry in try operations.outbox() {
                printFlushed("#\(entry.id)  \(entry.state)  \(entry.key)  queued \(entry.queuedAt)  attempts \(entry.attempts)"
                             + (entry.sentAt.map { "  sent \($0)" } ?? "") + (entry.lastError.map { "  last error: \($0)" } ?? ""))
            }
            return
        }
        if let release {
            try operations.releaseNotice(release)
            printFlushed("notice \(release) is queued again")
            return
        }
        let notices = try Notices(operations)
        var day = Timestamp.now.utcDate
        var now = Timestamp.now
        if let at {
            guard let parsed = CalendarDate(parsing: at) else { throw InputError("--at must be a real date written YYYY-MM-DD, not \"\(at)\"") }
            // Notices are about what is coming: a past day would remind people of consents already ended.
            guard parsed >= day else { throw InputError("--at \(parsed) is before today (\(day)): notices cannot be sent for a day that has passed") }
            day = parsed
            let endOfDay = Timestamp(millisecondsSinceEpoch: Int64(parsed.daysSinceEpoch + 1) * 86_400_000 - 1)
            now = max(now, endOfDay)
        }
        let run = try notices.run(day: day, now: now) { line in
            FileHandle.standardError.write(Data(("clearance: " + line + "\n").utf8))
        }
        let queued = run.queuedSummary
        printFlushed("queued: \(queued.isEmpty ? "nothing new" : queued.joined(separator: ", "))")
        printFlushed("sent \(run.sent.count), not accepted \(run.failed.count), dropped \(run.dropped), waiting to retry \(run.waiting)")
        for failure in run.failed { printFlushed("not sent: \(failure.key): \(failure.reason)") }
        for entry in run.inDoubt {
            printFlushed("in doubt: #\(entry.id) \(entry.key) claimed at \(entry.claimedAt?.description ?? "?"): it may have been delivered; `clearance notify --release \(entry.id)` sends it again")
        }
        if run.needsAttention { throw ExitCode(1) }
    }
}
