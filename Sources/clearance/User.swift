import ArgumentParser
import ClearanceApp
import ClearanceCore
import Foundation

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Web service accounts (officer, editor, dpo or admin), their API tokens, and the audit trail of both.",
        subcommands: [UserAdd.self, UserToken.self, UserTokens.self, UserRevoke.self, UserPassword.self,
                      UserDisable.self, UserEnable.self, UserAudit.self]
    )
}

/// Reads one line from standard input (a password piped in, never an argument: arguments show in `ps`).
private func passwordFromStandardInput() throws -> String {
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw InputError("no password on standard input")
    }
    return line
}

private func day(_ time: Timestamp?) -> String { time.map { $0.utcDate.description } ?? "-" }

struct UserAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Create an account. Without --password-stdin a random password is made and printed once."
    )
    @OptionGroup var options: DatabaseOptions
    @Option(help: "Account name (letters, digits, . _ - @).") var name: String
    @Option(help: "officer, editor, dpo or admin.") var role: String
    @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false

    func run() throws {
        let password = passwordStdin ? try passwordFromStandardInput() : Accounts.randomPassword()
        let accounts = try Accounts.open(forDatabase: options.databasePath, keyPath: options.keyPath)
        let user = try accounts.addUser(name: name, role: role, password: password)
        printFlushed("added \(user.role) \(user.name)")
        if !passwordStdin { printFlushed("password: \(password)") }
    }
}

struct UserToken: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Issue an API token for an account (shown once; only its hash is kept).",
        discussion: """
            The token works until it expires (--days, default 365), is revoked (`user revoke`), the \
            account's password changes or the account is disabled. Who issued it is kept with it.
            """
    )
    @OptionGroup var options: DatabaseOptions
    @Argument(help: "Account name.") var name: String
    @Option(help: "Days until the token expires (1-3650).") var days = Accounts.defaultTokenDays
    @Option(help: "What the token is for, shown in `user tokens` (e.g. \"website CMS\").") var label: String?

    func run() throws {
        let issued = try Accounts.open(forDatabase: options.databasePath, keyPath: options.keyPath).issueToken(for: name, label: label, days: days)
        printFlushed(issued.token)
        FileHandle.standardError.write(Data("token \(issued.id) for \(name), expires \(issued.expiresAt.utcDate)\n".utf8))
    }
}

struct UserTokens: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "List an account's API tokens: id, state, created (when, by whom), expiry, last use."
    )
    @OptionGroup var options: DatabaseOptions
    @Argument(help: "Account name.") var name: String

    func run() throws {
        let tokens = try Accounts.open(forDatabase: options.databasePath, keyPath: options.keyPath).tokens(of: name)
        guard !tokens.isEmpty else { return printFlushed("\(name) has no API tokens") }
        for token in tokens {
            let state = token.revokedAt.map { "revoked \(day($0))" } ?? (token.isUsableNow ? "active" : "expired")
            var line = "\(token.id)  \(state)  created \(day(token.createdAt)) by \(token.createdBy)  expires \(day(token.expiresAt))"
            line += "  last used \(day(token.lastUsedAt))"
            if let label = token.label { line += "  \(label)" }
            printFlushed(line)
        }
    }
}

struct UserRevoke: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke one API token of an account, by the id `user tokens` lists. It stops working at once."
    )
    @OptionGroup var options: DatabaseOptions
    @Argument(help: "Account name.") var name: String
    @Argument(help: "Token id.") var id: Int64

    func run() throws {
        try Accounts.open(forDatabase: options.databasePath, keyPath: options.keyPath).revokeToken(of: name, id: id)
        printFlushed("revoked token \(id) of \(name)")
    }
}

struct UserPassword: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "password",
        abstract: "Set an account's password from standard input; ends its sessions and revokes its API tokens."
    )
    @OptionGroup var options: DatabaseOptions
    @Argument(help: "Account name.") var name: String

    func run() throws {
        let revoked = try Accounts.open(forDatabase: options.databasePath, keyPath: options.keyPath).setPassword(name: name, password: try passwordFromStandardInput())
        printFlushed("password changed for \(name); sessions ended, \(revoked) API token(s) revoked")
    }
}

struct UserDisable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable",
        abstract: "Switch an account off: it cannot sign in, its sessions end and its API tokens are revoked, at once."
    )
    @OptionGroup var options: DatabaseOptions
    @Argument(help: "Account name.") var name: String

    func run() throws {
        let change = try Accounts.open(forDatabase: options.databasePath, keyPath: options.keyPath).setDisabled(name: name, true)
        printFlushed(change.changed ? "disabled \(name); sessions ended, \(change.tokensRevoked) API token(s) revoked"
                                    : "\(name) was already disabled")
    }
}

struct UserEnable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable",
        abstract: "Let a disabled account sign in again. Its old API tokens stay revoked; issue new ones."
    )
    @OptionGroup var options: DatabaseOptions
    @Argument(help: "Account name.") var name: String

    func run() throws {
        let change = try Accounts.open(forDatabase: options.databasePath, keyPath: options.keyPath).setDisabled(name: name, false)
        printFlushed(change.changed ? "enabled \(name)" : "\(name) was not disabled")
    }
}

struct UserAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The audit trail of accounts: who added, disabled or enabled them, changed passwords, issued or revoked tokens."
    )
    @OptionGroup var options: DatabaseOptions
    @Argument(help: "Only this account's changes.") var name: String?
    @Option(help: "At most this many, newest first.") var limit = 100

    func run() throws {
        guard (1...100_000).contains(limit) else { throw InputError("--limit must be between 1 and 100000") }
        let accounts = try Accounts.open(forDatabase: options.databasePath, keyPath: options.keyPath)
        for event in try accounts.accountEvents(account: name, limit: limit) {
            printFlushed("\(event.at)  \(event.kind)  \(event.account)  by \(event.actor)\(event.detail.map { "  (\($0))" } ?? "")")
        }
    }
}
