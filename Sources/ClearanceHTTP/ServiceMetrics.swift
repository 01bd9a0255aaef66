import ClearanceApp
import ClearanceCore
import Foundation
import Prometheus

/// What `GET /metrics` reports, in the Prometheus text format (swift-prometheus): requests and
/// their time by route pattern (never a concrete path, which may hold a secret or an id), check
/// verdicts by channel and reason code, and, read from the ledger at each scrape, the outbox
/// backlog and the last verification.
final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    static let latencyBuckets: [Duration] = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                                             .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                             .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10)]

    func recordRequest(method: String, route: String, status: Int, elapsed: Duration) {
        registry.makeCounter(descriptor: .init(namespace: "clearance", metricName: "http_requests", unitName: "total",
                                               helpText: "HTTP requests by method, route pattern and status"),
                             labels: [("method", method), ("route", route), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: .init(namespace: "clearance", metricName: "http_request_duration", unitName: "seconds",
                                                         helpText: "Time to answer, by method and route pattern"),
                                       labels: [("method", method), ("route", route)], buckets: Self.latencyBuckets).record(elapsed)
    }

    func recordVerdict(_ verdict: Verdict, channel: String) {
        registry.makeCounter(descriptor: .init(namespace: "clearance", metricName: "verdicts", unitName: "total",
                                               helpText: "Check answers by channel and result"),
                             labels: [("channel", channel), ("result", verdict.cleared ? "cleared" : "blocked")]).increment()
        for code in Set(verdict.reasons.map(\.code.rawValue)).sorted() {
            registry.makeCounter(descriptor: .init(namespace: "clearance", metricName: "verdict_reasons", unitName: "total",
                                                   helpText: "Blocked answers by reason code (an answer with several codes counts under each)"),
                                 labels: [("code", code)]).increment()
        }
    }

    /// The text exposition, with the ledger's figures as of now.
    func render(ledger: LedgerOperations) throws -> String {
        let counts = try ledger.outboxCounts()
        for (state, value) in [("due", counts.due), ("waiting", counts.waiting), ("sending", counts.sending),
                               ("sent", counts.sent), ("dropped", counts.dropped)] {
            registry.makeGauge(descriptor: .init(namespace: "clearance", metricName: "outbox", unitName: "notices",
                                                 helpText: "Notices in the outbox by state (due and waiting are queued; sending may be in doubt)"),
                               labels: [("state", state)]).set(Int64(value))
        }
        registry.makeGauge(descriptor: .init(namespace: "clearance", metricName: "outbox_backlog", unitName: "notices",
                                             helpText: "Notices not yet sent: queued, waiting to retry, or being sent")).set(Int64(counts.backlog))
        if let run = try ledger.lastVerification() {
            registry.makeGauge(descriptor: .init(namespace: "clearance", metricName: "last_verify_intact", unitName: "bool",
                                                 helpText: "1 when the last verification found the ledger intact, else 0")).set(run.intact ? 1.0 : 0.0)
            registry.makeGauge(descriptor: .init(namespace: "clearance", metricName: "last_verify_time", unitName: "seconds",
                                                 helpText: "When the ledger was last verified, seconds since 1970 UTC"))
                .set(Double(run.at.millisecondsSinceEpoch) / 1000)
            registry.makeGauge(descriptor: .init(namespace: "clearance", metricName: "last_verify_events", unitName: "count",
                                                 helpText: "Events the last verification replayed")).set(Int64(run.events))
        }
        return registry.emitToString()
    }
}
