import ClearanceCore
import Foundation

/// Why a reserved reference cannot be used for a capture.
public enum ReservationRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    case notReserved(ConsentReference)
    case reservedForSomeoneElse(ConsentReference)
    case expired(ConsentReference)
    case capturedBeforeReservation(ConsentReference)
    case alreadyUsed(ConsentReference)

    public var description: String {
        switch self {
        case .notReserved(let r): "\(r) was not reserved by this server for offline capture"
        case .reservedForSomeoneElse(let r): "\(r) was reserved for another officer's tablet"
        case .expired(let r): "\(r) had expired before this capture was made; check the tablet's clock, or record the consent again"
        case .capturedBeforeReservation(let r): "this capture is dated before \(r) was reserved; check the tablet's clock"
        case .alreadyUsed(let r): "\(r) is already the reference of another consent"
        }
    }
}

extension Ledger {
    /// Tops up what one officer's tablet holds: its reservations that are unused and unexpired
    /// at `now`, plus new ones until there are `count`, each valid for `lifetime`. Asking again
    /// (after an answer was lost, say) hands back the same ones, so nothing leaks. Refuses when
    /// the officer's unused, unexpired reservations on all tablets would exceed `maximumHeld`.
    public func reserveReferences(officer: String, device: String, count: Int, lifetime: Duration,
                                  maximumHeld: Int, at now: Timestamp = .now) throws -> [ReservedReference] {
        let expires = Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + lifetime.components.seconds * 1000)
        guard let rowMACKey else { throw LedgerError.missingKey(keyPath) }
        return try store.write { db in
            var held = try Self.unusedReservations(db, officer: officer, device: device, at: now, key: rowMACKey)
            let missing = count - held.count
            guard missing > 0 else { return held }
            let allHeld = try db.fetchValue(Int.self, """
                SELECT count(*) FROM reserved_references
                WHERE officer = ? AND expires_at > ?
                  AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.reference = reserved_references.reference)
                """, [officer, now.millisecondsSinceEpoch]) ?? 0
            guard allHeld + missing <= maximumHeld else {
                throw LedgerError.invalid("\(officer) already holds \(allHeld) unused references on their tablets (at most \(maximumHeld)); send or discard waiting consents first")
            }
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<missing {
                var reference = ConsentReference.random(using: &generator)
                while try Self.referenceTaken(db, reference) { reference = ConsentReference.random(using: &generator) }
                let mac = rowMACKey.mac(.reservedReference(reference.description, officer: officer, device: device,
                                                           reservedAt: now.millisecondsSinceEpoch, expiresAt: expires.millisecondsSinceEpoch))
                try db.execute("""
                    INSERT INTO reserved_references (reference, officer, device, reserved_at, expires_at, mac) VALUES (?, ?, ?, ?, ?, ?)
                    """, [reference.description, officer, device, now.millisecondsSinceEpoch, expires.millisecondsSinceEpoch, mac])
                held.append(ReservedReference(reference: reference, officer: officer, device: device, reservedAt: now, expiresAt: expires))
            }
            // In the order a repeated request answers them: soonest expiry first.
            return held.sorted { ($0.expiresAt, $0.reference) < ($1.expiresAt, $1.reference) }
        }
    }

    /// The capture a tablet sent with this id, if it arrived.
    public func offlineCapture(id: String) throws -> OfflineCaptureRecord? {
        try store.read { db in try Self.offlineCapture(db, id: id, key: rowMACKey) }
    }

    public func reservation(_ reference: ConsentReference) throws -> ReservedReference? {
        try store.read { db in
            try db.fetchOne("SELECT * FROM reserved_references WHERE reference = ?", [reference.description]).flatMap { Self.reservationRow($0, key: rowMACKey) }
        }
    }

    static func unusedReservations(_ db: any SQLSession, officer: String, device: String, at now: Timestamp,
                                   key: RowMACKey?) throws -> [ReservedReference] {
        try db.fetchAll("""
            SELECT * FROM reserved_references
            WHERE officer = ? AND device = ? AND expires_at > ?
              AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.reference = reserved_references.reference)
            ORDER BY expires_at, reference
            """, [officer, device, now.millisecondsSinceEpoch]).compactMap { reservationRow($0, key: key) }
    }

    /// A reference is taken when a consent has it or a tablet holds it (used, unused or expired).
    static func referenceTaken(_ db: any SQLSession, _ reference: ConsentReference) throws -> Bool {
        try db.fetchValue(Bool.self, """
            SELECT EXISTS (SELECT 1 FROM consents WHERE reference = ?) OR EXISTS (SELECT 1 FROM reserved_references WHERE reference = ?)
            """, [reference.description, reference.description]) ?? false
    }

    /// With the key at hand, a row whose MAC fails counts as absent (`verify` names it): the
    /// capture is then refused as a reused reference, never recorded twice.
    static func offlineCapture(_ db: any SQLSession, id: String, key: RowMACKey?) throws -> OfflineCaptureRecord? {
        guard let row = try db.fetchOne("SELECT * FROM offline_captures WHERE capture_id = ?", [id]),
              let reference = ConsentReference(parsing: row["reference"]), let person = PersonID(parsing: row["person_id"]) else {
            return nil
        }
        if let key {
            guard let mac = row["mac"] as Data?,
                  key.isValid(mac, for: .offlineCapture(row["capture_id"], reference: row["reference"], person: row["person_id"],
                                                        officer: row["officer"], capturedAt: row["captured_at"],
                                                        receivedAt: row["received_at"])) else { return nil }
        }
        return OfflineCaptureRecord(captureID: row["capture_id"], reference: reference, person: person, officer: row["officer"],
                                    capturedAt: Timestamp(millisecondsSinceEpoch: row["captured_at"]),
                                    receivedAt: Timestamp(millisecondsSinceEpoch: row["received_at"]))
    }

    /// With the key at hand, a row whose MAC fails counts as absent: a reservation edited or
    /// inserted by hand reserves nothing.
    static func reservationRow(_ row: SQLRow, key: RowMACKey?) -> ReservedReference? {
        guard let reference = ConsentReference(parsing: row["reference"]) else { return nil }
        if let key {
            guard let mac = row["mac"] as Data?,
                  key.isValid(mac, for: .reservedReference(row["reference"], officer: row["officer"], device: row["device"],
                                                           reservedAt: row["reserved_at"], expiresAt: row["expires_at"])) else { return nil }
        }
        return ReservedReference(reference: reference, officer: row["officer"], device: row["device"],
                                 reservedAt: Timestamp(millisecondsSinceEpoch: row["reserved_at"]),
                                 expiresAt: Timestamp(millisecondsSinceEpoch: row["expires_at"]))
    }
}

extension LedgerTransaction {
    /// Whether a tablet holds `reference`: ordinary consents draw another.
    func isReserved(_ reference: ConsentReference) throws -> Bool {
        try db.fetchValue(Bool.self, "SELECT 1 FROM reserved_references WHERE reference = ?", [reference.description]) ?? false
    }

    /// The capture with this id, when it already arrived: checked inside the transaction that
    /// would record it, so two copies of one capture arriving together make one consent.
    public func offlineCapture(id: String) throws -> OfflineCaptureRecord? {
        try Ledger.offlineCapture(db, id: id, key: key.rowMACKey)
    }

    /// Records a capture a tablet kept offline: the person, their consent under the reference
    /// reserved for `officer`, and the capture's id, all in this transaction. The caller checks
    /// `offlineCapture(id:)` first, in the same transaction.
    public mutating func recordOfflineCapture(id: String, reference: ConsentReference, officer: String, capturedAt: Timestamp,
                                              person data: PersonalData, terms: ConsentTerms, details: ConsentPrivateDetails,
                                              clockSkew: Duration, at now: Timestamp = .now) throws -> OfflineCaptureRecord {
        guard let row = try db.fetchOne("SELECT * FROM reserved_references WHERE reference = ?", [reference.description]),
              let reservation = Ledger.reservationRow(row, key: key.rowMACKey) else {
            throw ReservationRefusal.notReserved(reference)
        }
        guard reservation.officer == officer else { throw ReservationRefusal.reservedForSomeoneElse(reference) }
        guard terms.method == .tabletOffline, terms.recordedBy == officer else {
            throw LedgerError.invalid("an offline capture is recorded as tablet-offline, by the officer who sent it")
        }
        guard try ConsentRow.find(db, reference: reference.description) == nil else { throw ReservationRefusal.alreadyUsed(reference) }
        let skew = clockSkew.components.seconds * 1000
        guard capturedAt.millisecondsSinceEpoch >= reservation.reservedAt.millisecondsSinceEpoch - skew else {
            throw ReservationRefusal.capturedBeforeReservation(reference)
        }
        guard capturedAt <= reservation.expiresAt else { throw ReservationRefusal.expired(reference) }

        let person = try addPerson(data, roles: PersonRoles(), at: now)
        let event = LedgerEvent.ConsentRecorded(reference: reference, person: person, version: 1, supersedes: nil, terms: terms,
                                                sealed: try personSeal(person).seal(details))
        try append(.consentRecorded(event), at: now)
        let mac = key.rowMACKey.mac(.offlineCapture(id, reference: reference.description, person: person.description, officer: officer,
                                                    capturedAt: capturedAt.millisecondsSinceEpoch, receivedAt: now.millisecondsSinceEpoch))
        try db.execute("""
            INSERT INTO offline_captures (capture_id, reference, person_id, officer, captured_at, received_at, mac) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [id, reference.description, person.description, officer, capturedAt.millisecondsSinceEpoch,
                             now.millisecondsSinceEpoch, mac])
        return OfflineCaptureRecord(captureID: id, reference: reference, person: person, officer: officer,
                                    capturedAt: capturedAt, receivedAt: now)
    }
}
