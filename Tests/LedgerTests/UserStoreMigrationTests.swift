import ClearanceCore
import Foundation
import GRDB
import Testing
@testable import Ledger

/// `0003_account_lifecycle` on a users file made before it: its tokens keep working, each now
/// expiring a year after it was made, and nothing else changes.
@Suite struct UserStoreMigrationTests {
    @Test func tokensMadeBeforeExpiriesGetOneYear() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("users-0002-\(UUID().uuidString).users").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let made = Timestamp.now.millisecondsSinceEpoch - 10 * 86_400_000
        do {
            let old = try DatabaseQueue(path: path)
            try UserStore.migrator().migrate(old, upTo: "0002_self_service")
            try old.write { db in
                try db.execute(sql: "INSERT INTO users (name, role, password_hash, created_at) VALUES ('integration', 'editor', NULL, ?)",
                               arguments: [made])
                try db.execute(sql: "INSERT INTO api_tokens (token_sha256, user_id, created_at) VALUES ('abc123', 1, ?)", arguments: [made])
                try db.execute(sql: "INSERT INTO api_tokens (token_sha256, user_id, created_at) VALUES ('ancient', 1, ?)",
                               arguments: [made - 400 * 86_400_000])
            }
        }
        let store = try UserStore(path: path)
        #expect(try store.user(tokenSHA256: "abc123")?.name == "integration")
        #expect(try store.user(tokenSHA256: "ancient") == nil, "made more than a year ago: expired")
        let tokens = try store.tokens(userID: 1)
        #expect(tokens.count == 2)
        let kept = try #require(tokens.first { $0.createdAt.millisecondsSinceEpoch == made })
        #expect(kept.expiresAt.millisecondsSinceEpoch == made + 365 * 86_400_000)
        #expect(kept.createdBy.hasPrefix("unknown"))
        #expect(kept.lastUsedAt != nil, "the lookup above was a use")
        #expect(try store.user(named: "integration")?.disabledAt == nil)
        #expect(try store.accountEvents().isEmpty, "the trail starts with the migration, not before")
    }
}
