import ArgumentParser
import ClearanceApp
import ClearanceCore
import Foundation

struct ConsentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Record, withdraw, list consents and print receipts.",
        subcommands: [Record.self, Withdraw.self, List.self, Receipt.self]
    )

    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a consent; prints its reference.",
            discussion: """
                With --supersedes REF the new consent is the next version of REF, which becomes superseded. \
                A person under the age of consent on the given date needs --guardian and --relationship; \
                verbal consent needs --witness.
                """
        )

        @OptionGroup var options: DatabaseOptions
        @Option(help: "Person id, or a name matching exactly one person.") var person: String
        @Option(help: "Comma-separated channels or groups (e.g. social,website).") var channels: String
        @Option(help: "What the images may be used for (repeatable or comma-separated).") var purpose: [String] = []
        @Option(help: "The event where consent was given.") var event: String?
        @Option(help: "Version of the consent form or wording shown.") var formVersion: String?
        @Option(help: "tablet, paper, qr or verbal (default paper).") var method: String?
        @Option(help: "Who witnessed verbal consent.") var witness: String?
        @Option(name: .customLong("by"), help: "Who recorded it (default $USER).") var recordedBy: String?
        @Option(help: "Day consent was given, YYYY-MM-DD (default today).") var given: String?
        @Option(help: "Day it expires, YYYY-MM-DD (default from configuration).") var expires: String?
        @Option(help: "Name of the parent or guardian who consented.") var guardian: String?
        @Option(help: "The guardian's relationship to the person.") var relationship: String?
        @Option(help: "A signature image file (stored encrypted, with its SHA-256).") var signature: String?
        @Option(help: "Reference of the consent this one replaces.") var supersedes: String?
        @Option(help: .hidden) var `repeat`: Int = 1

        func run() throws {
            let operations = try options.open(forWriting: true)
            var request = ConsentRequest(person: person, channels: channels)
            request.purposes = purpose
            request.event = event
            request.formVersion = formVersion
            request.method = method
            request.witness = witness
            request.recordedBy = recordedBy
            request.given = given
            request.expires = expires
            request.guardianName = guardian
            request.guardianRelationship = relationship
            request.signaturePath = signature
            request.supersedes = supersedes
            guard (1...1_000_000).contains(`repeat`) else { throw InputError("--repeat must be between 1 and 1000000") }
            guard `repeat` == 1 || supersedes == nil else { throw InputError("--repeat cannot be used with --supersedes") }
            // Each reference is printed only after its transaction has committed.
            try operations.recordRepeatedly(request, count: `repeat`) { printFlushed($0.description) }
        }
    }

    struct Withdraw: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Withdraw a consent. It stays in the ledger, marked withdrawn with when, how and by whom.",
            discussion: """
                Prints every asset showing the person and every earlier publication of those assets that \
                the withdrawal affects, as takedown items with a due date (takedownDays in the \
                configuration, 30 by default). Print and press publications cannot be recalled: they are \
                listed as "do not reprint". See `clearance takedowns`.
                """
        )

        @OptionGroup var options: DatabaseOptions
        @Argument(help: "The consent reference (C-XXXX-XXXX).") var reference: String
        @Option(help: "How the withdrawal arrived (email, phone, letter, in-person, receipt-link…).") var receivedVia: String?
        @Option(name: .customLong("by"), help: "Who recorded it (default $USER).") var recordedBy: String?
        @Option(help: "A note (stored encrypted with the person's data).") var note: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let operations = try options.open(forWriting: true)
            let result = try operations.withdraw(reference, receivedVia: receivedVia, recordedBy: recordedBy, note: note)
            if json {
                print(try TakedownOutput.json(result))
            } else {
                let consent = result.consent
                print("withdrew \(consent.reference) at \(consent.withdrawal?.at.description ?? "") (received via \(consent.withdrawal?.receivedVia ?? "?"))")
                for line in TakedownOutput.lines(result.impact) { print(line) }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List consents, every version, oldest first.")

        @OptionGroup var options: DatabaseOptions
        @Option(help: "Only this person's consents (id or unique name).") var person: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let consents = try options.open(forWriting: false).consents(person: person)
            if json {
                print(try LedgerJSON.consents(consents))
            } else {
                for consent in consents { print("\(consent.person)  " + LedgerText.consentLine(consent)) }
            }
        }
    }

    struct Receipt: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print an HTML receipt: the reference, what was agreed, expiry, and how to withdraw."
        )

        @OptionGroup var options: DatabaseOptions
        @Argument(help: "The consent reference.") var reference: String
        @Option(help: "Write the HTML to this file instead of standard output.") var to: String?

        func run() throws {
            let html = try options.open(forWriting: false).receipt(reference)
            if let to {
                guard FileManager.default.createFile(atPath: to, contents: Data(html.utf8)) else {
                    throw InputError("cannot write \(to)")
                }
            } else {
                print(html, terminator: "")
            }
        }
    }
}
