import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird
import Ledger

/// The editor's check page: pick assets and a channel, see each verdict, its reasons and the
/// faces the file's metadata outlines and names.
extension ClearanceService {
    func addCheckPages(_ book: RouteBook) {
        let editors: Access = .roles([.editor, .dpo])

        book.add(.get, "/check", editors) { request, context in
            try checkPage(context, picked: [], channel: nil, results: [], errors: [:], status: .ok,
                          filter: request.uri.queryParameters["q"].map(String.init))
        }

        book.add(.post, "/check", editors, csrfHeader: false) { request, context in
            let form = try await FormFields.read(request, limit: 1 << 20)
            try requireCSRF(form, context)
            let picked = form.all("assets")
            let channel = form["channel"]
            let filter = form["q"]
            var errors: [String: String] = [:]
            if picked.isEmpty { errors["assets"] = "Tick at least one photo or video." }
            if channel.map({ settings.configuration.catalog.contains(Channel($0)) }) != true { errors["channel"] = "Choose a channel." }
            guard errors.isEmpty, let channel else {
                return try checkPage(context, picked: Set(picked), channel: channel, results: [], errors: errors, status: .badRequest,
                                     filter: filter)
            }
            do {
                let results = try check(hashes: picked, channel: channel, at: nil)
                return try checkPage(context, picked: Set(picked), channel: channel, results: results, errors: [:], status: .ok,
                                     filter: filter)
            } catch let error as APIError {
                return try checkPage(context, picked: Set(picked), channel: channel, results: [], errors: ["assets": error.message],
                                     status: .badRequest, filter: filter)
            }
        }

        // The cleared, scrubbed copies as a zip, each recorded as a publication by the export operation.
        book.add(.post, "/check/export", editors, csrfHeader: false) { request, context in
            let form = try await FormFields.read(request, limit: 1 << 20)
            try requireCSRF(form, context)
            let picked = form.all("assets")
            let channel = form["channel"] ?? ""
            do {
                let postURL = form["postURL"], user = context.user?.name ?? "unknown"
                // Checking a video copy decodes every frame: not on the server's shared threads.
                return try await Self.onOwnThread { try exportZip(hashes: picked, channel: channel, postURL: postURL, by: user) }
            } catch let error as APIError where error.status != .forbidden {
                return try checkPage(context, picked: Set(picked), channel: channel, results: [], errors: [:], status: error.status,
                                     formError: error.message)
            } catch let error as InputError {
                return try checkPage(context, picked: Set(picked), channel: channel, results: [], errors: [:], status: .badRequest,
                                     formError: error.description)
            }
        }

        // A small JPEG of a stored picture, made here from its pixels alone (no metadata of the
        // original reaches the browser). Its path comes from the ledger, never from the client.
        book.add(.get, "/assets/{sha256}/thumbnail", editors) { request, context in
            let hash = try context.parameters.require("sha256")
            guard Self.isSHA256(hash) else { throw APIError(.badRequest, "not a SHA-256 (64 hex digits)") }
            let asked = request.uri.queryParameters["size"].map(String.init) ?? String(Thumbnails.sizes[0])
            guard let size = Int(asked), Thumbnails.sizes.contains(size) else {
                throw APIError(.badRequest, "size: one of \(Thumbnails.sizes.map(String.init).joined(separator: ", "))")
            }
            let jpeg: Data
            do {
                // Decoding takes tens of milliseconds: not on the server's shared threads.
                jpeg = try await Self.onOwnThread { [thumbnails] in try thumbnails.jpeg(of: hash.lowercased(), size: size) }
            } catch let failure as Thumbnails.Failure {
                switch failure {
                case .unknownAsset, .fileMissing: throw APIError(.notFound, failure.description)
                case .notAPicture: throw APIError(.unsupportedMediaType, failure.description)
                case .undecodable: throw APIError(.unprocessableContent, failure.description)
                }
            }
            var response = Response(status: .ok, headers: [.contentType: "image/jpeg"], body: .init(byteBuffer: ByteBuffer(bytes: jpeg)))
            // The URL names the bytes (their hash): the picture behind it never changes.
            response.headers[.cacheControl] = "private, max-age=86400"
            return response
        }
    }

    static func mediaType(_ format: String?) -> String {
        switch format {
        case "jpeg": "image/jpeg"
        case "png": "image/png"
        case "tiff": "image/tiff"
        case "heic": "image/heic"
        case "mp4", "m4v": "video/mp4"
        case "mov": "video/quicktime"
        default: "application/octet-stream"
        }
    }

    func label(_ asset: StoredAsset?, sha256: String) -> String {
        label(path: asset?.paths.first, sha256: sha256)
    }

    /// The file's name where it was last seen, else the start of its hash.
    func label(path: String?, sha256: String) -> String {
        path.map { ($0 as NSString).lastPathComponent } ?? String(sha256.prefix(12))
    }

    /// How many assets the page lists to pick from; the search box finds the others.
    static let assetListLimit = 200

    /// The page. It lists the newest assets (those whose path contains `filter`, when given)
    /// and, above them, any picked ones the listing would leave out, so a tick is never lost.
    func checkPage(_ context: ClearanceRequestContext, picked: Set<String>, channel: String?,
                   results: [AssetOperations.CheckResult], errors: [String: String], status: HTTPResponse.Status,
                   formError: String? = nil, filter: String? = nil) throws -> Response {
        let filter = filter?.trimmingCharacters(in: .whitespaces).prefix(200).description
        let search = filter?.isEmpty == false ? filter : nil
        let listing = try ledger.ledger.assetListing(matching: search, limit: Self.assetListLimit)
        let listed = Set(listing.assets.map(\.sha256))
        let pickedElsewhere = try picked.subtracting(listed).sorted().compactMap { try ledger.ledger.asset($0) }
            .map { (sha256: $0.record.sha256, path: $0.paths.first) }
        let assetRows: [[String: Any]] = (pickedElsewhere + listing.assets).map { asset in
            ["sha256": asset.sha256, "label": label(path: asset.path, sha256: asset.sha256), "checked": picked.contains(asset.sha256)]
        }
        let resultRows: [[String: Any]] = try results.map { result in
            let asset = try ledger.ledger.asset(result.sha256)
            let faces: [[String: Any]] = (asset?.mentions ?? []).compactMap { mention in
                guard let r = mention.region, r.count == 4 else { return nil }
                return ["x": Self.percent(r[0]), "y": Self.percent(r[1]), "w": Self.percent(r[2]), "h": Self.percent(r[3]),
                        "name": mention.label ?? "unnamed face"]
            }
            return [
                "sha256": result.sha256, "label": label(asset, sha256: result.sha256), "cleared": result.verdict.cleared,
                "channel": result.verdict.channel.name, "isImage": asset?.record.kind == "image", "faces": faces,
                "reasons": shownReasons(result.verdict.reasons, to: context.role).map { ["message": $0.message, "code": $0.code.rawValue] },
            ]
        }
        let chosen = channel ?? settings.configuration.catalog.channels.first?.name
        var values: [String: Any] = [
            "assets": assetRows, "results": resultRows, "q": search ?? "", "searched": search != nil,
            "listedCount": listing.assets.count, "matchingCount": listing.total,
            "moreThanListed": listing.total > listing.assets.count, "hasResults": !results.isEmpty, "checkedChannel": channel ?? "",
            "channels": settings.configuration.catalog.channels.map { ["name": $0.name, "selected": $0.name == chosen] as [String: Any] },
            "errors": errors, "clearedCount": results.filter(\.verdict.cleared).count,
            "canExport": results.contains(where: \.verdict.cleared), "postURLLimit": PostURL.maximumLength,
        ]
        if let formError { values["formError"] = formError }
        return page(.check, values, context, title: "Check", status: status, scripts: ["check.js"])
    }

    /// A fraction as a CSS percentage, clamped so a hostile region cannot escape the picture.
    static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "0" }
        return String(format: "%.2f", min(max(fraction, 0), 1) * 100)
    }
}
