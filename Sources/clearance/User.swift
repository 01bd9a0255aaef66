import ArgumentParser
import ClearanceApp
import ClearanceHTTP
import Foundation

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Web service accounts: officer, editor, dpo or admin.",
        subcommands: [UserAdd.self, UserToken.self, UserPassword.self]
    )
}

/// Reads one line from standard input (a password piped in, never an argument: arguments show in `ps`).
private func passwordFromStandardInput() throws -> String {
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw InputError("no password on standard input")
    }
    return line
}

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
        let accounts = try Accounts.open(forDatabase: options.databasePath)
        let user = try accounts.addUser(name: name, role: role, password: password)
        printFlushed("added \(user.role) \(user.name)")
        if !passwordStdin { printFlushed("password: \(password)") }
    }
}

struct UserToken: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Issue an API token for an account (shown once; only its hash is kept)."
    )
    @OptionGroup var options: DatabaseOptions
    @Argument(help: "Account name.") var name: String

    func run() throws {
        printFlushed(try Accounts.open(forDatabase: options.databasePath).issueToken(for: name))
    }
}

struct UserPassword: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "password",
        abstract: "Set an account's password from standard input; ends its sessions."
    )
    @OptionGroup var options: DatabaseOptions
    @Argument(help: "Account name.") var name: String

    func run() throws {
        try Accounts.open(forDatabase: options.databasePath).setPassword(name: name, password: try passwordFromStandardInput())
        printFlushed("password changed for \(name)")
    }
}
