import ClearanceCore
import Foundation
import Ledger
import MediaMetadata

/// Everything in a subject access pack (UK GDPR Art. 15), as written to `data.json`. Nothing in
/// it names anyone but the requester and members of staff who acted on their records.
public struct SubjectAccessPack: Encodable, Sendable {
    public struct PersonPart: Encodable, Sendable {
        public var id: String
        public var name: String
        public var aliases: [String]
        public var born: String?
        public var email: String?
        public var phone: String?
        public var roles: [String]
        public var registeredAt: String
    }

    public struct ConsentPart: Encodable, Sendable {
        public var reference: String
        public var version: Int
        public var state: String
        public var supersedes: String?
        public var supersededBy: String?
        public var channels: [String]
        public var purposes: [String]
        public var event: String?
        public var formVersion: String
        public var method: String
        public var recordedBy: String
        public var recordedAt: String
        public var givenAt: String
        public var expiresAt: String
        public var guardian: String?
        public var guardianRelationship: String?
        public var witness: String?
        public var withdrawn: String?
        public var withdrawalReceivedVia: String?
        public var withdrawalRecordedBy: String?
        public var withdrawalNote: String?
        /// The signed ledger entries for this consent pass their hash and signature checks.
        public var verifies: Bool
        public var receiptFile: String
        public var signatureFile: String?
        /// The signature image's SHA-256 matches the fingerprint recorded when consent was given.
        public var signatureMatchesRecord: Bool?
    }

    public struct PublicationPart: Encodable, Sendable {
        public var channel: String
        public var at: String
        public var by: String
        public var postURL: String?
    }

    public struct AssetPart: Encodable, Sendable {
        public var asset: String
        public var kind: String?
        public var format: String?
        public var capturedAt: String?
        /// The copy in this pack, relative to its folder; nil when none could be given.
        public var file: String?
        public var redacted: Bool
        public var regionsBlackedOut: Int
        public var note: String?
        public var publications: [PublicationPart]
    }

    public struct TakedownPart: Encodable, Sendable {
        public var id: String
        public var channel: String
        public var postURL: String?
        public var status: String
        public var dueOn: String?
        public var doneAt: String?
    }

    public var generatedAt: String
    public var organisationContact: String
    public var person: PersonPart
    public var consents: [ConsentPart]
    public var assets: [AssetPart]
    public var takedowns: [TakedownPart]
}

extension LedgerOperations {
    /// `sar PERSON --to DIR`: builds the pack in a new folder beside DIR and renames it into
    /// place at the end, so DIR is either complete or untouched. Refuses an existing non-empty
    /// DIR, an unknown person and an erased one.
    public func subjectAccessPack(_ text: String, to directory: String) throws -> SubjectAccessPack {
        let entry = try resolvePerson(text)
        guard !entry.isErased, let data = entry.personalData else {
            throw InputError("\(entry.id) has been erased: Clearance holds no personal data about them to give")
        }
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: target.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw InputError("\(directory) exists and is not a directory") }
            guard (try? files.contentsOfDirectory(atPath: target.path))?.isEmpty == true else {
                throw InputError("\(directory) is not empty; give a new folder")
            }
        }
        let parent = target.deletingLastPathComponent()
        guard files.fileExists(atPath: parent.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError("the folder \(parent.path) does not exist")
        }
        let staging = parent.appendingPathComponent(".clearance-sar-\(UUID().uuidString)")
        guard mkdir(staging.path, 0o700) == 0 else {
            throw InputError("cannot create a folder in \(parent.path): \(String(cString: strerror(errno)))")
        }
        do {
            let pack = try writePack(entry, data, into: staging)
            // rename(2) replaces an empty directory, and never a non-empty one.
            guard rename(staging.path, target.path) == 0 else {
                throw InputError("cannot create \(directory): \(String(cString: strerror(errno)))")
            }
            return pack
        } catch {
            try? files.removeItem(at: staging)
            throw error
        }
    }

    private func writePack(_ entry: PersonEntry, _ data: PersonalData, into folder: URL) throws -> SubjectAccessPack {
        // Every name below is made here (references, hashes), never taken from input, so
        // nothing can land outside the folder.
        func write(_ bytes: Data, _ relative: String) throws {
            let url = folder.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try bytes.write(to: url, options: .withoutOverwriting)
        }

        // The pack says the signed record is intact, so it checks the signatures themselves.
        let unverified = try ledger.unverifiedConsents(of: entry.id, bySignature: true)
        var consents: [SubjectAccessPack.ConsentPart] = []
        for consent in try ledger.consents(of: entry.id) {
            let reference = consent.reference.description
            let receipt = "receipts/\(reference).html"
            try write(Data(ConsentReceipt.html(consent: consent, person: entry, withdrawalContact: configuration.withdrawalContact).utf8), receipt)
            var signatureFile: String?
            var matches: Bool?
            if let image = consent.details?.signatureImage {
                signatureFile = "signatures/\(reference).\(Self.imageExtension(image))"
                try write(image, signatureFile!)
                matches = consent.terms.signatureSHA256.map { SHA256Hex.of(image) == $0 }
            }
            consents.append(.init(
                reference: reference, version: consent.version, state: consent.state.rawValue,
                supersedes: consent.supersedes?.description, supersededBy: consent.supersededBy?.description,
                channels: consent.terms.channels.map(\.name), purposes: consent.terms.purposes, event: consent.terms.event,
                formVersion: consent.terms.formVersion, method: consent.terms.method.rawValue, recordedBy: consent.terms.recordedBy,
                recordedAt: consent.recordedAt.description, givenAt: consent.terms.givenAt.description,
                expiresAt: consent.terms.expiresAt.description, guardian: consent.details?.guardianName,
                guardianRelationship: consent.terms.guardianRelationship, witness: consent.details?.witness,
                withdrawn: consent.withdrawal?.at.description, withdrawalReceivedVia: consent.withdrawal?.receivedVia,
                withdrawalRecordedBy: consent.withdrawal?.recordedBy, withdrawalNote: consent.withdrawal?.note,
                verifies: !unverified.contains(consent.reference), receiptFile: receipt,
                signatureFile: signatureFile, signatureMatchesRecord: matches))
        }

        let operations = AssetOperations(self)
        var assets: [SubjectAccessPack.AssetPart] = []
        for (index, showing) in try operations.assetsShowing(entry.id).enumerated() {
            let copy = try operations.subjectAccessCopy(of: showing, for: entry.id, number: index + 1, into: folder)
            let record = showing.stored.record
            assets.append(.init(
                asset: record.sha256, kind: record.kind, format: record.format, capturedAt: record.capturedAt,
                file: copy.file, redacted: copy.blackedOut > 0, regionsBlackedOut: copy.blackedOut, note: copy.note,
                publications: try ledger.storedPublications(of: record.sha256).map {
                    .init(channel: $0.record.channel.name, at: $0.record.at.description, by: $0.record.by, postURL: $0.record.postURL)
                }))
        }
        let today = Timestamp.now.utcDate
        let takedowns = try ledger.takedowns(person: entry.id).map { item in
            SubjectAccessPack.TakedownPart(id: TakedownOutput.label(item), channel: item.publication.record.channel.name,
                                           postURL: item.publication.record.postURL,
                                           status: TakedownOutput.status(item, today: today),
                                           dueOn: item.dueOn?.description, doneAt: item.doneAt?.description)
        }
        let pack = SubjectAccessPack(
            generatedAt: Timestamp.now.description, organisationContact: configuration.withdrawalContact,
            person: .init(id: entry.id.description, name: data.name, aliases: data.aliases, born: data.dateOfBirth?.description,
                          email: data.email, phone: data.phone, roles: entry.roles.labels,
                          registeredAt: entry.addedAt.description),
            consents: consents, assets: assets, takedowns: takedowns)
        try write(Data(try LedgerJSON.encode(pack).utf8), "data.json")
        try write(Data(SubjectAccessPage.html(pack).utf8), "index.html")
        return pack
    }

    static func imageExtension(_ bytes: Data) -> String {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "jpg" }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "png" }
        return "bin"
    }
}

extension AssetOperations {
    /// Where one person is in a stored asset, and where everyone else is: its own metadata's
    /// regions joined by the detected faces (see `people(shown:faces:requester:)`).
    struct PlacedPeople {
        var shown: [ShownPerson] = []
        /// Someone other than the person is named or marked, with a region or without.
        var mentionsOthers = false

        var ownCount: Int { shown.count { $0.whose == .requester } }
        /// The person's boxes (x, y, w, h of the picture as displayed): regions and faces.
        var ownBoxes: [[Double]] { shown.filter { $0.whose == .requester }.flatMap(\.boxes) }
        /// Everyone else: identified, unknown, ambiguous, an unnamed region or an undecided face.
        var others: [ShownPerson] { shown.filter { $0.whose != .requester } }
        /// Only the other identified people.
        var othersIdentified: [ShownPerson] { shown.filter { $0.whose == .someoneElse } }
    }

    /// Sorts the asset's mentions into the person's and everyone else's, linked as `check`
    /// links them (names, ids, reviews), then joins the newest detection's faces.
    func regions(of stored: StoredAsset, for person: PersonID) throws -> PlacedPeople {
        let review = Self.review(from: stored.reviews)
        var regions: [ShownPerson] = []
        var mentionsOthers = false
        try ledger.snapshot { snapshot in
            let directory = try SnapshotDirectory(snapshot)
            for mention in stored.mentions where mention.source != AppearanceLinking.releaseSource {
                let whose: ShownPerson.Whose
                switch try AppearanceLinking.link(mention, review: review, directory: directory).identity {
                case .person(let id) where id == person: whose = .requester
                case .ambiguous(let candidates) where candidates.filter(review.people.contains) == [person]: whose = .requester
                case .person: whose = .someoneElse
                default: whose = .unknown
                }
                if whose != .requester { mentionsOthers = true }
                guard let region = mention.region, region.count == 4 else { continue }
                regions.append(ShownPerson(boxes: [region], whose: whose))
            }
        }
        let shown = Self.people(shown: regions, faces: stored.faces, requester: person)
        return PlacedPeople(shown: shown, mentionsOthers: mentionsOthers || shown.contains { $0.whose != .requester })
    }

    struct SubjectAccessCopy {
        var file: String?
        var blackedOut: Int
        var note: String?
    }

    static let maximumCopyBytes = 200 << 20

    /// One person shown in a picture, as far as the pack can tell: where (a metadata region, a
    /// detected face, or both when the region names that face) and whether it is the requester.
    struct ShownPerson {
        enum Whose { case requester, someoneElse, unknown }
        var boxes: [[Double]]
        var whose: Whose
    }

    /// The metadata regions joined by the detected faces of the asset's newest detection, as
    /// the gate pairs them: a face decided to be someone is theirs (the requester's or someone
    /// else's); a face decided not identifiable is someone unknown; one decided not in the
    /// register is someone else (nobody's yet, and never the requester's to see); one decided
    /// not a face is nobody. An undecided face named by a region joins that region (both rectangles are
    /// hidden or kept together, since the two are drawn differently); any other is someone
    /// unknown. A video's faces, from sampled frames, count the same way.
    static func people(shown regions: [ShownPerson], faces search: FaceSearch, requester: PersonID) -> [ShownPerson] {
        guard case .found(let faces) = search else { return regions }
        var shown = regions
        var undecided: [Double?: [FoundFace]] = [:]
        for face in faces {
            let box = [face.box.x, face.box.y, face.box.w, face.box.h]
            switch face.decision?.decision {
            case .person(let id): shown.append(ShownPerson(boxes: [box], whose: id == requester ? .requester : .someoneElse))
            case .notIdentifiable: shown.append(ShownPerson(boxes: [box], whose: .unknown))
            // A reviewer recognised no one in the register there: someone else, always hidden
            // (the people-to-find list is no reason to show a stranger to the requester).
            case .notRegistered: shown.append(ShownPerson(boxes: [box], whose: .someoneElse))
            case .notAFace: continue
            case nil: undecided[face.t, default: []].append(face)
            }
        }
        let regionBoxes = regions.compactMap { FaceBox($0.boxes[0]) }
        for (_, frame) in undecided.sorted(by: { ($0.key ?? 0) < ($1.key ?? 0) }) {
            let named = regionBoxes.count == regions.count ? Gate.namingRegions(frame.map(\.box), regions: regionBoxes) : [:]
            for (index, face) in frame.enumerated() {
                let box = [face.box.x, face.box.y, face.box.w, face.box.h]
                if let region = named[index] {
                    shown[region].boxes.append(box)
                } else {
                    shown.append(ShownPerson(boxes: [box], whose: .unknown))
                }
            }
        }
        return shown
    }

    /// The requester's copy of one asset: a JPEG with every other person's region blacked out;
    /// other formats copied scrubbed when nobody else is known to be in them, else described only.
    func subjectAccessCopy(of showing: ShowingAsset, for person: PersonID, number: Int, into folder: URL) throws -> SubjectAccessCopy {
        let stored = showing.stored
        guard let source = stored.paths.first(where: { (try? ContentHash.sha256(ofFileAt: $0)) == stored.record.sha256 }) else {
            return .init(file: nil, blackedOut: 0, note: "The file is no longer where it was stored, so no copy could be made; ask us and we will find it.")
        }
        let placed = try regions(of: stored, for: person)
        let own = placed.ownCount, others = placed.others, othersIdentified = placed.othersIdentified
        let format = stored.record.format.flatMap(ContainerFormat.init(rawValue:))
        let base = "pictures/\(String(format: "%03d", number))-\(stored.record.sha256.prefix(12))"
        let whereabouts = stored.mentions.isEmpty && stored.reviews.isEmpty
            ? "This is an edited copy of another picture of you; we do not know where you are in it."
            : "You were named in this picture without a marked position, so we could not tell which person is you."

        if format == .jpeg {
            guard let size = (try? FileManager.default.attributesOfItem(atPath: source))?[.size] as? NSNumber,
                  size.intValue <= Self.maximumCopyBytes, let bytes = FileManager.default.contents(atPath: source) else {
                return .init(file: nil, blackedOut: 0, note: "The picture is too large to copy here; ask us for it.")
            }
            // With no region of their own, only faces known to be someone else are hidden: any
            // other face might be theirs, and guessing would hide them from their own picture.
            let hidden = own > 0 ? others : othersIdentified
            let blackOut = hidden.flatMap(\.boxes)
            let redacted: Data
            do {
                redacted = try JPEGRedaction.redact(bytes, orientation: stored.record.orientation, blackOut: blackOut)
            } catch {
                return .init(file: nil, blackedOut: 0, note: "The picture could not be read to hide other people in it (\(error)); ask us for a copy.")
            }
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("pictures"), withIntermediateDirectories: true)
            try redacted.write(to: folder.appendingPathComponent(base + ".jpg"), options: .withoutOverwriting)
            var note: String?
            if own == 0 {
                note = whereabouts + (blackOut.isEmpty ? " It is shown as taken, not a redaction guess."
                                      : " Other named people are blacked out; the rest is shown as taken, not a redaction guess.")
            } else if !blackOut.isEmpty {
                note = "Other people in this picture are blacked out."
            }
            return .init(file: base + ".jpg", blackedOut: hidden.count, note: note)
        }

        let kind = format.map { $0.rawValue.uppercased() } ?? "this kind of file"
        guard let format, ScrubbedCopy.supportedFormats.contains(format), others.isEmpty, own > 0 || stored.record.faceRegions == 0 else {
            return .init(file: nil, blackedOut: 0,
                         note: "Blacking out other people is not available for \(kind) files, and other people may be shown, so no copy is included; ask us and we will prepare one.")
        }
        // HEIC and TIFF are copied as JPEG, as an export would.
        let name = base + "." + ScrubbedCopy.fileExtension(for: ScrubbedCopy.outputFormat(for: format))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("pictures"), withIntermediateDirectories: true)
        do {
            try ScrubbedCopy.write(from: source, to: folder.appendingPathComponent(name).path, format: format,
                                   release: ReleaseStamp(status: "MR-NON", consentReferences: []))
        } catch {
            return .init(file: nil, blackedOut: 0, note: "The file could not be copied here (\(error)); ask us for a copy.")
        }
        return .init(file: name, blackedOut: 0,
                     note: "Blacking out is not available for \(kind) files; no one else is known to be shown, so it is copied as taken, without location or camera details.")
    }
}
