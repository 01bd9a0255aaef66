import ClearanceCore
import Foundation

/// The payloads a check replays for every person and asset, read by hand from their plain form
/// (`CanonicalJSON`). Each reader gives exactly what `JSONDecoder` would for the same bytes, or
/// nil, and then `LedgerEvent.decode` asks `JSONDecoder`: an unknown field, a missing one, a value
/// of another type or form. Kinds a check seldom replays (the instance's, takedowns,
/// publications, erasures) always go to `JSONDecoder`.
extension LedgerEvent {
    static func decodePlain(kind: String, payload: Data) -> LedgerEvent? {
        let read: ((inout CanonicalFields) -> LedgerEvent?)? = switch kind {
        case "person.added": { PersonAdded(&$0).map(LedgerEvent.personAdded) }
        case "consent.recorded": { ConsentRecorded(&$0).map(LedgerEvent.consentRecorded) }
        case "consent.withdrawn": { ConsentWithdrawn(&$0).map(LedgerEvent.consentWithdrawn) }
        case "asset.ingested": { AssetIngested(&$0).map(LedgerEvent.assetIngested) }
        case "asset.reviewed": { AssetReviewed(&$0).map(LedgerEvent.assetReviewed) }
        case "asset.faces-detected": { FacesDetected(&$0).map(LedgerEvent.facesDetected) }
        case "face.decided": { FaceDecided(&$0).map(LedgerEvent.faceDecided) }
        default: nil
        }
        guard let read, let json = CanonicalJSON(plain: payload), var fields = CanonicalFields(json),
              let event = read(&fields), fields.isDone else { return nil }
        return event
    }
}

/// Reads one object's fields into `Value`, then requires that none is left over.
private func object<Value>(_ json: CanonicalJSON, _ read: (inout CanonicalFields) -> Value?) -> Value? {
    guard var fields = CanonicalFields(json), let value = read(&fields), fields.isDone else { return nil }
    return value
}

extension LedgerEvent.PersonAdded {
    fileprivate init?(_ fields: inout CanonicalFields) {
        guard let person = fields.required("person", { $0.text(PersonID.self) }),
              let roles = fields.required("roles", { object($0, PersonRoles.init) }),
              let sealed = fields.required("sealed", \.data) else { return nil }
        self.init(person: person, roles: roles, sealed: sealed)
    }
}

extension PersonRoles {
    fileprivate init?(_ fields: inout CanonicalFields) {
        guard let serviceUser = fields.required("serviceUser", \.bool), let electedMember = fields.required("electedMember", \.bool),
              let staff = fields.required("staff", \.bool) else { return nil }
        self.init(serviceUser: serviceUser, electedMember: electedMember, staff: staff)
    }
}

extension LedgerEvent.ConsentRecorded {
    fileprivate init?(_ fields: inout CanonicalFields) {
        guard let reference = fields.required("reference", { $0.text(ConsentReference.self) }),
              let person = fields.required("person", { $0.text(PersonID.self) }),
              let version = fields.required("version", \.int),
              let supersedes = fields.optional("supersedes", { $0.text(ConsentReference.self) }),
              let terms = fields.required("terms", { object($0, ConsentTerms.init) }),
              let sealed = fields.required("sealed", \.data) else { return nil }
        self.init(reference: reference, person: person, version: version, supersedes: supersedes, terms: terms, sealed: sealed)
    }
}

extension ConsentTerms {
    fileprivate init?(_ fields: inout CanonicalFields) {
        guard let channels = fields.required("channels", { $0.array { object($0, { $0.required("name", \.string).map(Channel.init) }) } }),
              let purposes = fields.required("purposes", { $0.array(\.string) }),
              let event = fields.optional("event", \.string),
              let formVersion = fields.required("formVersion", \.string),
              let method = fields.required("method", { $0.string.flatMap(ConsentMethod.init(rawValue:)) }),
              let recordedBy = fields.required("recordedBy", \.string),
              let givenAt = fields.required("givenAt", { $0.text(CalendarDate.self) }),
              let expiresAt = fields.required("expiresAt", { $0.text(CalendarDate.self) }),
              let guardianRelationship = fields.optional("guardianRelationship", \.string),
              let signatureSHA256 = fields.optional("signatureSHA256", \.string) else { return nil }
        self.init(channels: channels, purposes: purposes, event: event, formVersion: formVersion, method: method,
                  recordedBy: recordedBy, givenAt: givenAt, expiresAt: expiresAt,
                  guardianRelationship: guardianRelationship, signatureSHA256: signatureSHA256)
    }
}

extension LedgerEvent.ConsentWithdrawn {
    fileprivate init?(_ fields: inout CanonicalFields) {
        guard let reference = fields.required("reference", { $0.text(ConsentReference.self) }),
              let person = fields.required("person", { $0.text(PersonID.self) }),
              let receivedVia = fields.required("receivedVia", \.string),
              let recordedBy = fields.required("recordedBy", \.string),
              let sealedNote = fields.optional("sealedNote", \.data) else { return nil }
        self.init(reference: reference, person: person, receivedVia: receivedVia, recordedBy: recordedBy, sealedNote: sealedNote)
    }
}

extension LedgerEvent.AssetIngested {
    fileprivate init?(_ fields: inout CanonicalFields) {
        guard let asset = fields.required("asset", \.string),
              let facts = fields.required("facts", { object($0, LedgerEvent.AssetFactsPayload.init) }),
              let mentions = fields.required("mentions", { $0.array { object($0, LedgerEvent.MentionPayload.init) } }),
              let adoptedFrom = fields.optional("adoptedFrom", \.int64) else { return nil }
        self.init(asset: asset, facts: facts, mentions: mentions, adoptedFrom: adoptedFrom)
    }
}

extension LedgerEvent.AssetFactsPayload {
    fileprivate init?(_ fields: inout CanonicalFields) {
        guard let kind = fields.optional("kind", \.string), let format = fields.optional("format", \.string),
              let readable = fields.required("readable", \.bool), let error = fields.optional("error", \.string),
              let capturedAt = fields.optional("capturedAt", \.string), let width = fields.optional("width", \.int),
              let height = fields.optional("height", \.int), let orientation = fields.optional("orientation", \.int),
              let faceRegions = fields.required("faceRegions", \.int),
              let releaseStatus = fields.optional("releaseStatus", \.string),
              let documentID = fields.optional("documentID", \.string),
              let originalDocumentID = fields.optional("originalDocumentID", \.string),
              let derivedFrom = fields.optional("derivedFrom", \.string) else { return nil }
        self.init(kind: kind, format: format, readable: readable, error: error, capturedAt: capturedAt, width: width,
                  height: height, orientation: orientation, faceRegions: faceRegions, releaseStatus: releaseStatus,
                  documentID: documentID, originalDocumentID: originalDocumentID, derivedFrom: derivedFrom)
    }
}

extension LedgerEvent.MentionPayload {
    fileprivate init?(_ fields: inout CanonicalFields) {
        guard let source = fields.required("source", \.string), let region = fields.optional("region", \.string),
              let commitment = fields.required("commitment", \.data) else { return nil }
        self.init(source: source, region: region, commitment: commitment)
    }
}

extension LedgerEvent.AssetReviewed {
    fileprivate init?(_ fields: inout CanonicalFields) {
        guard let asset = fields.required("asset", \.string), let action = fields.required("action", \.string),
              let person = fields.optional("person", { $0.text(PersonID.self) }), let by = fields.required("by", \.string),
              let adoptedFrom = fields.optional("adoptedFrom", \.int64) else { return nil }
        self.init(asset: asset, action: action, person: person, by: by, adoptedFrom: adoptedFrom)
    }
}

extension LedgerEvent.FacesDetected {
    fileprivate init?(_ fields: inout CanonicalFields) {
        guard let asset = fields.required("asset", \.string), let detector = fields.required("detector", \.string),
              let faces = fields.optional("faces", { $0.array { object($0, LedgerEvent.FacePayload.init) } }),
              let failure = fields.optional("failure", \.string),
              let framesExamined = fields.optional("framesExamined", \.int),
              let limitation = fields.optional("limitation", \.string) else { return nil }
        self.init(asset: asset, detector: detector, faces: faces, failure: failure, framesExamined: framesExamined,
                  limitation: limitation)
    }
}

extension LedgerEvent.FacePayload {
    fileprivate init?(_ fields: inout CanonicalFields) {
        guard let x = fields.required("x", \.double), let y = fields.required("y", \.double),
              let w = fields.required("w", \.double), let h = fields.required("h", \.double),
              let score = fields.required("score", \.double), let t = fields.optional("t", \.double) else { return nil }
        self.init(x: x, y: y, w: w, h: h, score: score, t: t)
    }
}

extension LedgerEvent.FaceDecided {
    fileprivate init?(_ fields: inout CanonicalFields) {
        guard let asset = fields.required("asset", \.string), let detection = fields.required("detection", \.int64),
              let face = fields.required("face", \.int), let decision = fields.required("decision", \.string),
              let person = fields.optional("person", { $0.text(PersonID.self) }), let by = fields.required("by", \.string) else { return nil }
        self.init(asset: asset, detection: detection, face: face, decision: decision, person: person, by: by)
    }
}

extension LedgerEvent.FacePayload {
    /// Faces as a `face_detections` row holds them (`Ledger.json(faces:)`): by hand in the plain
    /// form, else by `JSONDecoder`.
    static func list(json text: String) -> [LedgerEvent.FacePayload]? {
        if let json = CanonicalJSON(plain: text), let faces = json.array({ object($0, Self.init) }) { return faces }
        return try? JSONDecoder().decode([Self].self, from: Data(text.utf8))
    }
}

extension PersonalData {
    /// A person's data as their sealed payload holds it, once opened: by hand in the plain form
    /// (a check opens the data of everyone a name may mean), else by `JSONDecoder`.
    static func decode(_ plain: Data) -> PersonalData? {
        if let json = CanonicalJSON(plain: plain), let data = object(json, PersonalData.init) { return data }
        return try? JSONDecoder().decode(PersonalData.self, from: plain)
    }

    fileprivate init?(_ fields: inout CanonicalFields) {
        guard let name = fields.required("name", \.string), let aliases = fields.required("aliases", { $0.array(\.string) }),
              let dateOfBirth = fields.optional("dateOfBirth", { $0.text(CalendarDate.self) }),
              let email = fields.optional("email", \.string), let phone = fields.optional("phone", \.string) else { return nil }
        self.init(name: name, aliases: aliases, dateOfBirth: dateOfBirth, email: email, phone: phone)
    }
}
