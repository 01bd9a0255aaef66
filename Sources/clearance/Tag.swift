import ArgumentParser
import ClearanceApp
import Foundation

struct Tag: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record by hand who is shown in an ingested asset, or who one face is.",
        discussion: """
            A review is recorded with who made it and when, and never overwritten: a later \
            --not-person undoes an earlier --person. Any review also accounts for unnamed face \
            regions over no detected face (someone looked at the picture); an unnamed region \
            over a detected face is that face, decided with --face N.

            Faces the detector found are decided one by one with --face N (numbers from \
            `clearance faces`): --person ID, --not-identifiable (someone nobody can recognise), \
            --not-a-face (a poster, a pattern) or --not-registered (someone you can recognise who \
            is not in the register yet: the picture stays blocked and the face goes on the \
            people-to-find list, `clearance faces --to-find`, until they are registered and the \
            face is decided as them). A later decision about a face supersedes an \
            earlier one; both are kept. --no-people is refused while the detector's faces are \
            not all decided not to be faces; a whole-picture --person also decides the face \
            when exactly one face is left to account for (a face on the people-to-find list \
            counts as left) and no face already shows that person. Examples:
              clearance tag photo.jpg --person P-3HQ8-TW2K
              clearance tag photo.jpg --face 2 --not-identifiable
              clearance tag photo.jpg --face 3 --not-registered
              clearance tag photo.jpg --no-people
              clearance tag <sha256> --service-users
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "A file or an asset's SHA-256.")
    var asset: String

    @Option(name: .customLong("person"), help: "A person shown (repeatable).")
    var people: [String] = []

    @Option(name: .customLong("not-person"), help: "A person the metadata wrongly links (repeatable).")
    var notPeople: [String] = []

    @Flag(help: "Reviewed: nobody identifiable is shown.")
    var noPeople = false

    @Flag(help: "Shows service users: never publishable.")
    var serviceUsers = false

    @Option(help: "Decide one face the detector found, by its number in `clearance faces`.")
    var face: Int?

    @Flag(help: "With --face: a person nobody can recognise.")
    var notIdentifiable = false

    @Flag(help: "With --face: not a person's face (a poster, a pattern, an animal).")
    var notAFace = false

    @Flag(help: "With --face: someone identifiable who is not in the register yet (stays blocked; on the people-to-find list).")
    var notRegistered = false

    @Option(help: "Who is reviewing (default: $USER).")
    var by: String?

    func validate() throws {
        if let face {
            let decisions = people.count + (notIdentifiable ? 1 : 0) + (notAFace ? 1 : 0) + (notRegistered ? 1 : 0)
            guard decisions == 1, notPeople.isEmpty, !noPeople, !serviceUsers else {
                throw ValidationError("--face \(face) takes exactly one of --person ID, --not-identifiable, --not-a-face or --not-registered")
            }
        } else if notIdentifiable || notAFace || notRegistered {
            throw ValidationError("--not-identifiable, --not-a-face and --not-registered decide one face: give --face N")
        }
    }

    func run() throws {
        let operations = AssetOperations(try database.open(forWriting: true))
        let reviewer = by ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        if let face {
            let request: FaceDecisionRequest = notAFace ? .notAFace : notIdentifiable ? .notIdentifiable
                : notRegistered ? .notRegistered : .person(people[0])
            let listing = try operations.decideFace(asset, face: face, request, by: reviewer)
            print("\(listing.asset): face \(face) decided; \(Faces.remaining(listing))")
            return
        }
        let stored = try operations.tag(asset, people: people, notPeople: notPeople, noPeople: noPeople,
                                        serviceUsers: serviceUsers, by: reviewer)
        print("\(stored.record.sha256): \(stored.reviews.count) review\(stored.reviews.count == 1 ? "" : "s") recorded")
        let listing = try operations.faces(stored.record.sha256)
        if listing.unaccounted > 0 || listing.toFind > 0 { print(Faces.remaining(listing)) }
    }
}
