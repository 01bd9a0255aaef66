import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird
import MediaMetadata

/// `/api/v1/assets` and `/api/v1/check`: what `ingest`, `tag` and `check` do.
extension ClearanceService {
    struct CheckBody: Decodable {
        var assets: [String]
        var channel: String
        var at: String?
    }

    struct TagBody: Decodable {
        var people: [String]?
        var notPeople: [String]?
        var noPeople: Bool?
        var serviceUsers: Bool?
    }

    struct UploadedAsset: Encodable {
        var asset: String
        var new: Bool
        var kind: String?
        var format: String?
        var faceRegions: Int
        var people: [String?]
        var filename: String?
    }

    struct AssetView: Encodable {
        struct Mention: Encodable { var source: String; var label: String?; var region: [Double]? }
        struct Review: Encodable { var action: String; var person: String?; var by: String; var at: String }
        var asset: String
        var kind: String?
        var format: String?
        var readable: Bool
        var capturedAt: String?
        var width: Int?
        var height: Int?
        var faceRegions: Int
        var mentions: [Mention]
        var reviews: [Review]
        /// The numbered faces, exactly as `clearance faces --json` prints them; only for one
        /// asset (null in the list of all assets).
        var faces: FaceListing?

        enum CodingKeys: String, CodingKey {
            case asset, kind, format, readable, capturedAt, width, height, faceRegions, mentions, reviews, faces
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(asset, forKey: .asset)
            try c.encodeIfPresent(kind, forKey: .kind)
            try c.encodeIfPresent(format, forKey: .format)
            try c.encode(readable, forKey: .readable)
            try c.encodeIfPresent(capturedAt, forKey: .capturedAt)
            try c.encodeIfPresent(width, forKey: .width)
            try c.encodeIfPresent(height, forKey: .height)
            try c.encode(faceRegions, forKey: .faceRegions)
            try c.encode(mentions, forKey: .mentions)
            try c.encode(reviews, forKey: .reviews)
            try c.encode(faces, forKey: .faces)
        }
    }

    /// `POST /api/v1/assets/{sha256}/faces/{n}`: exactly one of the four.
    struct FaceDecisionBody: Decodable {
        var person: String?
        var notIdentifiable: Bool?
        var notAFace: Bool?
        var notRegistered: Bool?

        var request: FaceDecisionRequest? {
            switch (person, notIdentifiable ?? false, notAFace ?? false, notRegistered ?? false) {
            case (.some(let id), false, false, false): .person(id)
            case (nil, true, false, false): .notIdentifiable
            case (nil, false, true, false): .notAFace
            case (nil, false, false, true): .notRegistered
            default: nil
            }
        }
    }

    static let maximumAssetsPerCheck = 1000

    func addAssetRoutes(_ book: RouteBook) {
        let editors: Access = .roles([.editor, .dpo])

        book.add(.post, "/api/v1/check", editors) { request, context in
            let body = try await request.decode(as: CheckBody.self, context: context)
            let results = try check(hashes: body.assets, channel: body.channel, at: body.at)
            return .jsonText(try VerdictJSON.encode(shown(results, to: context.role)))
        }

        book.add(.get, "/api/v1/assets", editors) { _, _ in
            let views = try ledger.allAssets().map(Self.view)
            return .json(views)
        }

        book.add(.post, "/api/v1/assets", editors) { request, context in
            let uploaded = try await upload(request, context: context)
            return .json(uploaded, status: uploaded.new ? .created : .ok)
        }

        book.add(.get, "/api/v1/assets/{sha256}", editors) { _, context in
            let asset = try storedAsset(context)
            var view = Self.view(asset)
            view.faces = try assets.faces(storedAsset: asset.record.sha256)
            return .json(view)
        }

        book.add(.post, "/api/v1/assets/{sha256}/faces/{n}", editors) { request, context in
            let asset = try storedAsset(context)
            let text = try context.parameters.require("n")
            guard let number = Int(text), number >= 1, text.utf8.count <= 9 else {
                throw APIError(.badRequest, "the face number must be a whole number from 1")
            }
            let body = try await request.decode(as: FaceDecisionBody.self, context: context)
            guard let decision = body.request else {
                throw APIError(.badRequest, "send exactly one of {\"person\": ID}, {\"notIdentifiable\": true}, {\"notAFace\": true} or {\"notRegistered\": true}")
            }
            return .json(try assets.decideFace(storedAsset: asset.record.sha256, face: number, decision, by: context.user?.name ?? "unknown"))
        }

        book.add(.post, "/api/v1/assets/{sha256}/tag", editors) { request, context in
            let asset = try storedAsset(context)
            let body = try await request.decode(as: TagBody.self, context: context)
            let tagged = try assets.tag(asset.record.sha256, people: body.people ?? [], notPeople: body.notPeople ?? [],
                                        noPeople: body.noPeople ?? false, serviceUsers: body.serviceUsers ?? false,
                                        by: context.user?.name ?? "unknown")
            return .json(Self.view(tagged))
        }
    }

    /// Only asset hashes: a path from a client must never make the server read its own files.
    func check(hashes: [String], channel: String, at: String?) throws -> [AssetOperations.CheckResult] {
        guard !hashes.isEmpty else { throw APIError(.badRequest, "assets: give at least one SHA-256") }
        guard hashes.count <= Self.maximumAssetsPerCheck else {
            throw APIError(.badRequest, "assets: at most \(Self.maximumAssetsPerCheck) per request")
        }
        for hash in hashes where !Self.isSHA256(hash) {
            throw APIError(.badRequest, "assets: \"\(hash.prefix(80))\" is not a SHA-256 (64 hex digits)")
        }
        var date: CalendarDate?
        if let at {
            guard let parsed = CalendarDate(parsing: at) else { throw APIError(.badRequest, "at must be a real date written YYYY-MM-DD") }
            date = parsed
        }
        let results = try assets.check(storedAssets: hashes, channel: channel, at: date)
        for result in results { metrics.recordVerdict(result.verdict, channel: result.verdict.channel.name) }
        return results
    }

    /// Check answers as a role may see them: file names, not the server's paths, for everyone;
    /// no ages for anyone but the DPO.
    func shown(_ results: [AssetOperations.CheckResult], to role: Role?) -> [AssetOperations.CheckResult] {
        StaffView.results(results, withoutAges: role?.seesPersonalDetails != true,
                          ageOfConsent: settings.configuration.policy.ageOfConsent)
    }

    func shownReasons(_ reasons: [Reason], to role: Role?) -> [Reason] {
        role?.seesPersonalDetails == true ? reasons : StaffView.reasons(reasons, ageOfConsent: settings.configuration.policy.ageOfConsent)
    }

    static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }
    }

    func storedAsset(_ context: ClearanceRequestContext) throws -> StoredAsset {
        let hash = try context.parameters.require("sha256")
        guard Self.isSHA256(hash) else { throw APIError(.badRequest, "not a SHA-256 (64 hex digits)") }
        guard let asset = try ledger.asset(hash.lowercased()) else { throw APIError(.notFound, "unknown asset") }
        return asset
    }

    static func view(_ asset: StoredAsset) -> AssetView {
        AssetView(asset: asset.record.sha256, kind: asset.record.kind, format: asset.record.format,
                  readable: asset.record.readable, capturedAt: asset.record.capturedAt, width: asset.record.width,
                  height: asset.record.height, faceRegions: asset.record.faceRegions,
                  mentions: asset.mentions.map { .init(source: $0.source, label: $0.label, region: $0.region) },
                  reviews: asset.reviews.map { .init(action: $0.action.rawValue, person: $0.person?.description, by: $0.by,
                                                     at: $0.at.description) },
                  faces: nil)
    }

    // MARK: Upload

    static let acceptedTypes = ["image/", "video/", "application/octet-stream"]

    /// The request body is the file. It is streamed to a private temporary file (refused once
    /// past the limit), read, refused unless it is media Clearance reads, then kept under its
    /// SHA-256 and ingested. The client's file name is checked and echoed, never used as a path.
    func upload(_ request: Request, context: ClearanceRequestContext) async throws -> UploadedAsset {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard Self.acceptedTypes.contains(where: type.hasPrefix) else {
            throw APIError(.unsupportedMediaType, "send the file itself as the body, with an image/*, video/* or application/octet-stream Content-Type")
        }
        let filename = try request.uri.queryParameters["filename"].map { try UploadName.check(String($0)) }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > settings.maxUploadBytes {
            throw APIError(.contentTooLarge, "file is larger than the limit of \(settings.maxUploadBytes) bytes")
        }
        let directory = settings.uploadDirectory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let temporary = (directory as NSString).appendingPathComponent(".upload-\(Secret.generate(bytes: 12))")
        guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: temporary) else {
            throw APIError(.internalServerError, "cannot store the upload")
        }
        var keep = false
        defer { if !keep { try? FileManager.default.removeItem(atPath: temporary) } }
        var written = 0
        do {
            defer { try? handle.close() }
            for try await buffer in request.body {
                written += buffer.readableBytes
                guard written <= settings.maxUploadBytes else {
                    throw APIError(.contentTooLarge, "file is larger than the limit of \(settings.maxUploadBytes) bytes")
                }
                try handle.write(contentsOf: buffer.readableBytesView)
            }
        }
        guard written > 0 else { throw APIError(.badRequest, "the upload is empty") }
        let facts = MediaInspector().inspect(path: temporary)
        guard let sha = facts.sha256, let format = facts.format, facts.error == nil else {
            throw APIError(.unsupportedMediaType, "not a photo or video Clearance can read (JPEG, TIFF, PNG, HEIC, MP4, MOV)")
        }
        let final = (directory as NSString).appendingPathComponent("\(sha).\(format.rawValue)")
        if FileManager.default.fileExists(atPath: final) {
            // Same bytes as a file already kept; the temporary copy goes.
        } else {
            try FileManager.default.moveItem(atPath: temporary, toPath: final)
            keep = true
        }
        // Faces are looked for as ingest does, on a thread of its own: the detector blocks for seconds.
        let summary = try await assets.ingestOffThePool([final])
        return UploadedAsset(asset: sha, new: summary.new > 0, kind: facts.kind?.rawValue, format: format.rawValue,
                             faceRegions: facts.faceRegions, people: facts.people.map(\.name), filename: filename)
    }
}

/// The name a client gave an upload: plain names only, so no one mistakes it for a path.
enum UploadName {
    static func check(_ name: String) throws -> String {
        guard !name.isEmpty, name.utf8.count <= 255, !name.contains("/"), !name.contains("\\"), !name.contains(".."),
              !name.hasPrefix("."), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw APIError(.badRequest, "filename must be a plain file name (no folders, no \"..\", no leading dot)")
        }
        return name
    }
}
