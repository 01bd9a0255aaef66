import Foundation
import Testing

/// `clearance user …`: tokens with an expiry, listed and revoked; accounts switched off and on;
/// the audit trail of both.
@Suite struct UserCommandTests {
    @Test func tokensAreListedRevokedAndRecorded() throws {
        let ledger = try LedgerCLIFixture()
        try ledger.succeed(["user", "add", "--name", "web-cms", "--role", "editor"])
        let first = try ledger.run(["user", "token", "web-cms", "--days", "30", "--label", "website CMS"])
        #expect(first.status == 0)
        #expect(first.stdout.hasPrefix("clr_") && first.stdout.split(separator: "\n").count == 1, "only the token on stdout")
        #expect(first.stderr.contains("token 1 for web-cms, expires "))
        try ledger.succeed(["user", "token", "web-cms"])

        let listed = try ledger.succeed(["user", "tokens", "web-cms"]).split(separator: "\n").map(String.init)
        #expect(listed.count == 2)
        let cms = try #require(listed.first { $0.hasPrefix("1 ") })
        #expect(cms.contains("active") && cms.contains("by command line (") && cms.contains("website CMS") && cms.contains("last used -"))
        #expect(!listed.joined().contains("clr_"), "the listing never shows a token")

        #expect(try ledger.succeed(["user", "revoke", "web-cms", "1"]) == "revoked token 1 of web-cms")
        #expect(try ledger.succeed(["user", "tokens", "web-cms"]).contains("1  revoked "))
        for (arguments, message) in [
            (["user", "revoke", "web-cms", "1"], "no token 1 that is not already revoked"),
            (["user", "revoke", "web-cms", "99"], "no token 99"),
            (["user", "tokens", "nobody"], "unknown user: nobody"),
            (["user", "token", "web-cms", "--days", "0"], "1 to 3650 days"),
            (["user", "token", "web-cms", "--label", ""], "label is 1–100 characters"),
        ] {
            let refused = try ledger.run(arguments)
            #expect(refused.status == 2, "\(arguments)")
            #expect(refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
            #expect(refused.stderr.split(separator: "\n").count == 1)
        }

        let disabled = try ledger.succeed(["user", "disable", "web-cms"])
        #expect(disabled == "disabled web-cms; sessions ended, 1 API token(s) revoked")
        #expect(try ledger.succeed(["user", "disable", "web-cms"]) == "web-cms was already disabled")
        #expect(try ledger.run(["user", "token", "web-cms"]).stderr.contains("web-cms is disabled"))
        #expect(try ledger.succeed(["user", "enable", "web-cms"]) == "enabled web-cms")
        #expect(!(try ledger.succeed(["user", "tokens", "web-cms"]).contains("active")), "enabling brings no token back")

        let trail = try ledger.succeed(["user", "audit", "web-cms"]).split(separator: "\n").map(String.init)
        #expect(trail.map { $0.split(separator: " ", omittingEmptySubsequences: true)[1] } ==
                ["user.enabled", "user.disabled", "token.revoked", "token.issued", "token.issued", "user.added"])
        #expect(trail.allSatisfy { $0.contains("by command line (") })
    }

    @Test func helpExplainsTheAccountCommands() throws {
        let help = try CLIRunner.run(["user", "--help"])
        for command in ["add", "token", "tokens", "revoke", "password", "disable", "enable", "audit"] {
            #expect(help.stdout.contains("  \(command) "), "\(command) missing from: \(help.stdout)")
        }
        #expect(try CLIRunner.run(["user", "disable", "--help"]).stdout.contains("it cannot sign in"))
    }
}
