/// The export gate: a pure function from facts to a verdict. No I/O, no clock: the caller says
/// what time it is, so a check can be replayed for any date.
///
/// Absent metadata is never consent: an asset nobody reviewed is blocked, and a person linked
/// to the registry must hold a consent valid for the channel on the day.
public struct Gate: Sendable {
    public let policy: Policy

    public init(policy: Policy) {
        self.policy = policy
    }

    public func verdict(for asset: AssetFacts, people: [PersonID: PersonStanding],
                        channel: Channel, at date: CalendarDate) -> Verdict {
        var reasons: [Reason] = []
        if !asset.readable {
            reasons.append(Reason(.unreadableMedia, message: "The file could not be read, so no one can tell who is in it."))
        }
        let unaccounted = Self.unaccountedFaces(asset)
        let decided = Self.decidedFaces(asset)
        if case .notLookedFor(let why) = asset.faces, asset.readable, !asset.reviewed, !asset.showsServiceUsers {
            reasons.append(Reason(.notReviewed, message: "Its faces could not be looked for (\(why)): a person must look at it and record who is shown."))
        } else if asset.appearances.isEmpty && !asset.reviewed && !asset.showsServiceUsers && decided.isEmpty && unaccounted.count == 0 {
            reasons.append(Reason(.notReviewed, message: "Nobody has recorded who is in this picture: the file names no one and it has not been reviewed."))
        }
        if unaccounted.count > 0 {
            let counted = unaccounted.count == 1 ? "A face found in the picture is" : "\(unaccounted.count) faces found in the picture are"
            let frame = unaccounted.time.map { " (in the frame at \(Self.seconds($0)) s of the video)" } ?? ""
            reasons.append(Reason(.unidentifiedPerson, message: "\(counted) not named in its metadata\(frame) and no reviewer has decided who \(unaccounted.count == 1 ? "it is" : "they are") (see `clearance faces`)."))
        }
        // Someone identifiable whom nobody has registered: no consent can exist for them, and no
        // name or region in the file speaks for a face a reviewer has decided about.
        let toFind = decided.filter { $0 == .notRegistered }.count
        if toFind > 0 {
            reasons.append(Reason(.unidentifiedPerson, message: toFind == 1
                ? "A face is someone a reviewer decided is not in the register: it is on the people-to-find list until they are registered and the face is decided again."
                : "\(toFind) faces are people a reviewer decided are not in the register: they are on the people-to-find list until they are registered and the faces are decided again."))
        }
        if asset.showsServiceUsers {
            reasons.append(Reason(.serviceUser, message: "Marked as showing service users, who are never published."))
        }
        let unnamed = Self.unnamedRegionsBesideFaces(asset)
        if unnamed > 0 {
            reasons.append(Reason(.unidentifiedPerson, message: unnamed == 1
                ? "An unnamed face is not linked to anyone in the register."
                : "\(unnamed) unnamed faces are not linked to anyone in the register."))
        }
        for problem in asset.recordProblems {
            reasons.append(Reason(.recordTampered, message: "The ledger's record of this picture cannot be relied on: \(problem)."))
        }
        var seenPeople = Set<PersonID>()
        for appearance in asset.appearances {
            let label = appearance.label.map { "“\($0)”" } ?? "A person"
            switch appearance.identity {
            case .unidentified:
                continue
            case .unconfirmed(let reason):
                reasons.append(Reason(.recordTampered, message: "\(label) cannot be linked to anyone reliably: \(reason)."))
            case .ambiguous(let candidates):
                reasons.append(Reason(.ambiguousPerson, message: "\(label) matches \(candidates.count) people in the register; tag the right one."))
            case .unknown:
                reasons.append(Reason(.unknownPerson, message: "\(label) is not in the register."))
            case .person(let id):
                guard seenPeople.insert(id).inserted else { continue }
                guard let standing = people[id] else {
                    reasons.append(Reason(.unknownPerson, person: id, message: "\(label) (\(id)) is not in the register."))
                    continue
                }
                reasons += personReasons(standing, channel: channel, at: date)
            }
        }
        // People a reviewer recognised in a face are shown, whatever the metadata says.
        for id in decided.compactMap(\.person) where seenPeople.insert(id).inserted {
            guard let standing = people[id] else {
                reasons.append(Reason(.unknownPerson, person: id, message: "A face decided to be \(id) is not someone in the register."))
                continue
            }
            reasons += personReasons(standing, channel: channel, at: date)
        }
        return Verdict(channel: channel, at: date, reasons: Self.distinct(reasons))
    }

    /// The decisions that hold for the faces found (none when faces could not be looked for).
    static func decidedFaces(_ asset: AssetFacts) -> [FaceDecision] {
        guard case .found(let faces) = asset.faces else { return [] }
        return faces.compactMap { $0.decision?.decision }
    }

    /// How many detected faces nothing accounts for, in the frame where most are left (a still
    /// picture is one frame), and that frame's time for a video.
    ///
    /// A face is accounted for by a reviewer's decision about it, or by a named metadata region
    /// over it (`FaceBox.isNamed(by:)`, each region naming at most one face, the best-overlapping
    /// first). What is left may be covered by names without a region (IPTC PersonInImage, an
    /// identifier, a release id), each covering at most one face; a name that a region already
    /// gives counts once. A whole-picture review says who is shown, not which face: it accounts
    /// for no face (the command that records it decides the face when exactly one is undecided).
    public static func unaccountedFaces(_ asset: AssetFacts) -> (count: Int, time: Double?) {
        guard case .found(let faces) = asset.faces, !faces.isEmpty else { return (0, nil) }
        func identity(_ appearance: Appearance) -> String {
            switch appearance.identity {
            case .person(let id): "person \(id)"
            default: "name " + (appearance.label.flatMap(NameKey.init)?.folded ?? appearance.label ?? "")
            }
        }
        let naming = asset.appearances.filter { $0.identity != .unidentified && $0.source != Appearance.manualSource }
        let regions = naming.compactMap(\.region)
        let regionNames = Set(naming.filter { $0.region != nil }.map(identity))
        let names = Set(naming.filter { $0.region == nil }.map(identity)).subtracting(regionNames).count
        var worst: (count: Int, time: Double?) = (0, nil)
        var frames: [Double?: [FoundFace]] = [:]
        for face in faces where face.decision == nil { frames[face.t, default: []].append(face) }
        // A face under an unnamed region counts here, as a face a reviewer can decide; the region
        // is then that face (`unnamedRegionsBesideFaces`), so it is reported once.
        for (time, undecided) in frames.sorted(by: { ($0.key ?? 0) < ($1.key ?? 0) }) {
            let named = namingRegions(undecided.map(\.box), regions: regions)
            let left = undecided.indices.filter { named[$0] == nil }.count - names
            if left > worst.count { worst = (left, time) }
        }
        return worst
    }

    /// Unnamed faces in the metadata that no detected face stands for: those without a region,
    /// and regions that lie over no face the detector found (in any frame). An unnamed region over
    /// a detected face is that face, which blocks until a reviewer decides it, and is then
    /// settled by that decision (an iPhone marks every face it saw without a name).
    public static func unnamedRegionsBesideFaces(_ asset: AssetFacts) -> Int {
        let unnamed = asset.appearances.filter { $0.identity == .unidentified }
        return unnamed.count - unnamedRegionsOnFaces(asset).count
    }

    /// Which of the unnamed appearances (indices among them, in order) lie over a detected face.
    public static func unnamedRegionsOnFaces(_ asset: AssetFacts) -> Set<Int> {
        guard case .found(let faces) = asset.faces, !faces.isEmpty else { return [] }
        let unnamed = asset.appearances.filter { $0.identity == .unidentified }
        let boxed = unnamed.indices.filter { unnamed[$0].region != nil }
        guard !boxed.isEmpty else { return [] }
        var onFaces = Set<Int>()
        for frame in Dictionary(grouping: faces, by: \.t).values {
            for regionIndex in namingRegions(frame.map(\.box), regions: boxed.map { unnamed[$0].region! }).values {
                onFaces.insert(boxed[regionIndex])
            }
        }
        return onFaces
    }

    /// Which region names which face of one frame: face index → region index. Each region
    /// names at most one face and each face is named by at most one region, the pairs that
    /// overlap most first.
    public static func namingRegions(_ faces: [FaceBox], regions: [FaceBox]) -> [Int: Int] {
        var pairs: [(face: Int, region: Int, overlap: Double)] = []
        for (f, face) in faces.enumerated() {
            for (r, region) in regions.enumerated() where face.isNamed(by: region) {
                pairs.append((f, r, face.intersectionOverUnion(region) + face.fractionInside(region)))
            }
        }
        var named: [Int: Int] = [:], usedRegions = Set<Int>()
        for pair in pairs.sorted(by: { $0.overlap > $1.overlap }) where named[pair.face] == nil && !usedRegions.contains(pair.region) {
            named[pair.face] = pair.region
            usedRegions.insert(pair.region)
        }
        return named
    }

    private static func seconds(_ value: Double) -> String {
        let tenths = (value * 10).rounded() / 10
        return tenths == tenths.rounded() ? String(Int(tenths)) : String(tenths)
    }

    /// Reasons one registered person blocks the asset. A service user blocks it whatever they
    /// consented to, so consent reasons are not listed for them: no consent could clear them.
    func personReasons(_ person: PersonStanding, channel: Channel, at date: CalendarDate) -> [Reason] {
        let who = person.displayName ?? person.id.description
        var reasons: [Reason] = []
        if person.recordTampered {
            reasons.append(Reason(.recordTampered, person: person.id,
                                  message: "\(who)'s records in the ledger do not match their signed events and cannot be relied on."))
        }
        if person.roles.serviceUser {
            return reasons + [Reason(.serviceUser, person: person.id, message: "\(who) is a service user and is never published.")]
        }
        if person.roles.electedMember, policy.councilChannels.contains(channel), policy.isPreElection(date) {
            reasons.append(Reason(.preElectionPeriod, person: person.id,
                                  message: "\(who) is an elected member and \(date) is in a pre-election period for \(channel)."))
        }
        // Versions replaced by a later one no longer speak; consents given after the date did not exist yet.
        let inForce = person.consents.filter { $0.state != .superseded && $0.state != .erased && $0.terms.givenAt <= date }
        guard !inForce.isEmpty else {
            reasons.append(Reason(.noConsent, person: person.id, message: "\(who) has no consent recorded\(person.consents.isEmpty ? "" : " in force on \(date)")."))
            return reasons
        }
        let problems = inForce.map { consentReasons($0, of: person, who: who, channel: channel, at: date) }
        // One valid consent is enough; otherwise every consent's problems are listed.
        if problems.contains(where: \.isEmpty) { return reasons }
        return reasons + problems.flatMap { $0 }
    }

    func consentReasons(_ consent: ConsentRecord, of person: PersonStanding, who: String,
                        channel: Channel, at date: CalendarDate) -> [Reason] {
        let ref = consent.reference
        func reason(_ code: ReasonCode, _ message: String) -> Reason {
            Reason(code, person: person.id, consent: ref, message: message)
        }
        var reasons: [Reason] = []
        if person.tampered.contains(ref) {
            reasons.append(reason(.recordTampered, "\(who)'s consent \(ref) fails ledger verification and cannot be relied on."))
        }
        // A check dated before the withdrawal sees the consent as it was then.
        if consent.withdrawal.map({ $0.at.utcDate <= date }) ?? (consent.state == .withdrawn) {
            let when = consent.withdrawal.map { " on \($0.at.utcDate)" } ?? ""
            reasons.append(reason(.consentWithdrawn, "\(who) withdrew consent \(ref)\(when)."))
        }
        if consent.isExpired(on: date) {
            reasons.append(reason(.consentExpired, "\(who)'s consent \(ref) expired on \(consent.terms.expiresAt)."))
        }
        if !consent.covers(channel) {
            let covered = consent.terms.channels.map(\.name).joined(separator: ", ")
            reasons.append(reason(.channelNotCovered, "\(who)'s consent \(ref) covers \(covered.isEmpty ? "no channel" : covered), not \(channel)."))
        }
        if let born = person.dateOfBirth {
            let age = born.age(at: date)
            if age < policy.ageOfConsent && !consent.terms.givenByGuardian {
                reasons.append(reason(.guardianConsentRequired, "\(who) is \(age), under \(policy.ageOfConsent): a parent or guardian must consent, and \(ref) was not given by one."))
            }
            if age >= policy.ageOfConsent && consent.terms.givenByGuardian {
                reasons.append(reason(.reconsentRequired, "\(who) is now \(age): consent \(ref) was given by a guardian while they were a child, and they must now consent themselves."))
            }
        }
        return reasons
    }

    /// Drops repeats (the same name found by two metadata sources), then orders by the reason table.
    static func distinct(_ reasons: [Reason]) -> [Reason] {
        var seen = Set<Reason>()
        let unique = reasons.filter { seen.insert($0).inserted }
        return unique.enumerated().sorted { a, b in
            a.element.code != b.element.code ? a.element.code < b.element.code : a.offset < b.offset
        }.map(\.element)
    }
}
