/// The ledger's SQL migrations, in the order they are applied. The files live in `Migrations/`
/// and are embedded in the binary at build time (SwiftPM `embedInCode`), so a copied binary
/// never reads the source tree.
public enum LedgerSchema {
    public struct Migration: Sendable {
        public let identifier: String
        public let sql: String
    }

    public static let migrations: [Migration] = [
        Migration(identifier: "0001_ledger", sql: String(decoding: PackageResources._001_ledger_sql, as: UTF8.self)),
        Migration(identifier: "0002_assets", sql: String(decoding: PackageResources._002_assets_sql, as: UTF8.self)),
        Migration(identifier: "0003_takedowns", sql: String(decoding: PackageResources._003_takedowns_sql, as: UTF8.self)),
        Migration(identifier: "0004_event_macs", sql: String(decoding: PackageResources._004_event_macs_sql, as: UTF8.self)),
        Migration(identifier: "0005_signed_assets", sql: String(decoding: PackageResources._005_signed_assets_sql, as: UTF8.self)),
        Migration(identifier: "0006_offline_capture", sql: String(decoding: PackageResources._006_offline_capture_sql, as: UTF8.self)),
        Migration(identifier: "0007_outbox", sql: String(decoding: PackageResources._007_outbox_sql, as: UTF8.self)),
        Migration(identifier: "0008_faces", sql: String(decoding: PackageResources._008_faces_sql, as: UTF8.self)),
        Migration(identifier: "0009_face_not_registered", sql: String(decoding: PackageResources._009_face_not_registered_sql, as: UTF8.self)),
    ]

    /// The ledger's schema in PostgreSQL (`postgresql.sql`), one statement at a time: the store
    /// runs them in one transaction, and PostgreSQL's extended protocol takes one per query.
    public static let postgresql: [String] = statements(in: String(decoding: PackageResources.postgresql_sql, as: UTF8.self))

    /// The version of `postgresql` a database records once it has the whole schema. Version 2
    /// keeps person keys out of the database.
    public static let postgresqlVersion = "postgresql-2"

    /// Statements end with a semicolon at the end of a line; `--` lines are comments.
    static func statements(in sql: String) -> [String] {
        var statements: [String] = []
        var current: [String] = []
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = String(line.drop { $0 == " " }.reversed().drop { $0 == " " || $0 == "\r" }.reversed())
            if trimmed.isEmpty || trimmed.hasPrefix("--") { continue }
            current.append(String(line))
            if trimmed.hasSuffix(";") {
                var statement = current.joined(separator: "\n")
                while let last = statement.last, last == ";" || last == " " || last == "\n" || last == "\r" { statement.removeLast() }
                statements.append(statement)
                current = []
            }
        }
        return statements
    }
}
