import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird

/// The editor's check page: pick assets and a channel, see each verdict, its reasons and the
/// faces the file's metadata outlines and names.
extension ClearanceService {
    func addCheckPages(_ book: RouteBook) {
        let editors: Access = .roles([.editor, .dpo])

        book.add(.get, "/check", editors) { request, context in
            let query = request.uri.queryParameters
            return try checkPage(context, picked: [], channel: query["channel"].map(String.init), results: [], errors: [:], status: .ok,
                                 filter: query["q"].map(String.init), show: query["show"].map(String.init),
                                 pageNumber: query["page"].map(String.init))
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
            // The URL names the bytes (their hash): the picture behind it never changes.
            return try await Self.jpegResponse(cacheControl: "private, max-age=86400") { [thumbnails] in
                try thumbnails.jpeg(of: hash.lowercased(), size: size)
            }
        }
    }

    /// A JPEG the server makes from an original (a thumbnail, a face's crop): decoded off the
    /// server's shared threads, since that takes tens of milliseconds, with each way it can fail
    /// as its own status.
    static func jpegResponse(cacheControl: String, _ make: @escaping @Sendable () throws -> Data) async throws -> Response {
        let jpeg: Data
        do {
            jpeg = try await onOwnThread(make)
        } catch let failure as Thumbnails.Failure {
            switch failure {
            case .unknownAsset, .fileMissing: throw APIError(.notFound, failure.description)
            case .notAPicture: throw APIError(.unsupportedMediaType, failure.description)
            case .undecodable: throw APIError(.unprocessableContent, failure.description)
            }
        }
        var response = Response(status: .ok, headers: [.contentType: "image/jpeg"], body: .init(byteBuffer: ByteBuffer(bytes: jpeg)))
        response.headers[.cacheControl] = cacheControl
        return response
    }

    func label(_ asset: StoredAsset?, sha256: String) -> String {
        label(path: asset?.paths.first, sha256: sha256)
    }

    /// The file's name where it was last seen, else the start of its hash.
    func label(path: String?, sha256: String) -> String {
        path.map { ($0 as NSString).lastPathComponent } ?? String(sha256.prefix(12))
    }

    /// How many assets one page of the grid shows; the pager and the search box reach the others.
    static let gridPageSize = 48

    /// What the grid shows: every asset, the cleared, the blocked, or those blocked for one reason.
    enum GridFilter: Equatable {
        case all, cleared, blocked
        case reason(ReasonCode)

        init(_ text: String?) {
            switch text {
            case "cleared": self = .cleared
            case "blocked": self = .blocked
            case let code?: self = ReasonCode(rawValue: code).map(Self.reason) ?? .all
            case nil: self = .all
            }
        }

        var value: String {
            switch self {
            case .all: "all"
            case .cleared: "cleared"
            case .blocked: "blocked"
            case .reason(let code): code.rawValue
            }
        }

        func keeps(_ verdict: Verdict) -> Bool {
            switch self {
            case .all: true
            case .cleared: verdict.cleared
            case .blocked: !verdict.cleared
            case .reason(let code): verdict.reasons.contains { $0.code == code }
            }
        }
    }

    /// The page: a grid of the newest assets (those whose path contains `filter`, when given),
    /// each with its thumbnail and verdict for the chosen channel, a page at a time; above them,
    /// any picked ones the grid would leave out, so a tick is never lost; and, after a POST, the
    /// full verdicts of the ticked assets with the export form.
    func checkPage(_ context: ClearanceRequestContext, picked: Set<String>, channel: String?,
                   results: [AssetOperations.CheckResult], errors: [String: String], status: HTTPResponse.Status,
                   formError: String? = nil, filter: String? = nil, show: String? = nil, pageNumber: String? = nil) throws -> Response {
        let filter = filter?.trimmingCharacters(in: .whitespaces).prefix(200).description
        let search = filter?.isEmpty == false ? filter : nil
        let catalog = settings.configuration.catalog
        // An unknown channel (a hand-edited address) shows the first one rather than an error page.
        let gridChannel = channel.flatMap { catalog.contains(Channel($0)) ? $0 : nil } ?? catalog.channels.first?.name ?? "website"
        let gridFilter = GridFilter(show)
        let size = Self.gridPageSize
        var pageIndex = max(1, min(Int(pageNumber ?? "1") ?? 1, 1_000_000)) - 1

        // The page's assets with their verdicts. Without a verdict filter only the page is
        // checked; with one, every matching asset is, and the kept ones are paged.
        var shown: [(sha256: String, path: String?, verdict: Verdict)]
        let total: Int
        if gridFilter == .all {
            var listing = try ledger.assetListing(matching: search, limit: size, offset: pageIndex * size)
            if listing.assets.isEmpty && pageIndex > 0 && listing.total > 0 {
                pageIndex = (listing.total - 1) / size
                listing = try ledger.assetListing(matching: search, limit: size, offset: pageIndex * size)
            }
            let verdicts = try gridVerdicts(listing.assets.map(\.sha256), channel: gridChannel)
            shown = listing.assets.compactMap { asset in verdicts[asset.sha256].map { (asset.sha256, asset.path, $0) } }
            total = listing.total
        } else {
            let listing = try ledger.assetListing(matching: search, limit: Int(Int32.max))
            let verdicts = try gridVerdicts(listing.assets.map(\.sha256), channel: gridChannel)
            let kept = listing.assets.compactMap { asset in verdicts[asset.sha256].map { (sha256: asset.sha256, path: asset.path, verdict: $0) } }
                .filter { gridFilter.keeps($0.verdict) }
            total = kept.count
            pageIndex = min(pageIndex, max(0, (total - 1) / size))
            shown = Array(kept.dropFirst(pageIndex * size).prefix(size))
        }
        let listed = Set(shown.map(\.sha256))
        let elsewhere = try picked.subtracting(listed).sorted().compactMap { try ledger.asset($0) }
        if !elsewhere.isEmpty {
            let verdicts = try gridVerdicts(elsewhere.map(\.record.sha256), channel: gridChannel)
            shown = elsewhere.compactMap { asset in verdicts[asset.record.sha256].map { (asset.record.sha256, asset.paths.first, $0) } } + shown
        }
        let kinds = try Dictionary(shown.map { ($0.sha256, try ledger.asset($0.sha256)?.record.kind) }) { first, _ in first }
        let tiles: [[String: Any]] = shown.map { asset in
            let reasons = shownReasons(asset.verdict.reasons, to: context.role)
            let codes = Array(Set(reasons.map(\.code))).sorted()
            return [
                "sha256": asset.sha256, "label": label(path: asset.path, sha256: asset.sha256), "checked": picked.contains(asset.sha256),
                "cleared": asset.verdict.cleared, "isImage": kinds[asset.sha256] == "image",
                "codes": codes.map(\.rawValue), "reasonsText": reasons.map(\.message).joined(separator: " "),
                "needsReview": codes.contains(where: ReviewQueue.reviewReasons.contains),
            ]
        }
        let pages = max(1, (total + size - 1) / size)
        func link(_ index: Int) -> String {
            var items = [("channel", gridChannel)]
            if let search { items.append(("q", search)) }
            if gridFilter != .all { items.append(("show", gridFilter.value)) }
            if index > 0 { items.append(("page", String(index + 1))) }
            return "/check?" + items.map { "\($0.0)=\(Self.queryEscaped($0.1))" }.joined(separator: "&")
        }

        let resultRows: [[String: Any]] = try results.map { result in
            let asset = try ledger.asset(result.sha256)
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
        let chosen = channel ?? gridChannel
        let filters: [[String: Any]] = [("all", "Everything"), ("cleared", "Cleared"), ("blocked", "Blocked, any reason")]
            .map { ["value": $0.0, "label": $0.1, "selected": gridFilter.value == $0.0] }
            + ReasonCode.allCases.map { ["value": $0.rawValue, "label": "Blocked: \($0.rawValue)", "selected": gridFilter == .reason($0)] }
        var values: [String: Any] = [
            "tiles": tiles, "results": resultRows, "q": search ?? "", "searched": search != nil, "filters": filters,
            "filtered": gridFilter != .all, "gridChannel": gridChannel, "matchingCount": total, "hasMatches": total > 0,
            "firstShown": total == 0 ? 0 : pageIndex * size + 1, "lastShown": min(total, (pageIndex + 1) * size),
            "pageNumber": pageIndex + 1, "pageCount": pages, "paged": pages > 1,
            "newerLink": pageIndex > 0 ? link(pageIndex - 1) : "", "olderLink": pageIndex + 1 < pages ? link(pageIndex + 1) : "",
            "hasResults": !results.isEmpty, "checkedChannel": channel ?? "",
            "channels": catalog.channels.map { ["name": $0.name, "selected": $0.name == chosen] as [String: Any] },
            "gridChannels": catalog.channels.map { ["name": $0.name, "selected": $0.name == gridChannel] as [String: Any] },
            "errors": errors, "clearedCount": results.filter(\.verdict.cleared).count,
            "canExport": results.contains(where: \.verdict.cleared), "postURLLimit": PostURL.maximumLength,
        ]
        if let formError { values["formError"] = formError }
        values["wide"] = true
        return page(.check, values, context, title: "Check", status: status, scripts: ["check.js"])
    }

    /// Each stored asset's verdict for `channel` today.
    func gridVerdicts(_ hashes: [String], channel: String) throws -> [String: Verdict] {
        guard !hashes.isEmpty else { return [:] }
        return try Dictionary(assets.check(storedAssets: hashes, channel: channel, at: nil).map { ($0.sha256, $0.verdict) }) { a, _ in a }
    }

    /// A query-string value: everything but unreserved characters percent-encoded by UTF-8 byte.
    static func queryEscaped(_ text: String) -> String {
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        return text.utf8.map { unreserved.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
    }

    /// A fraction as a CSS percentage, clamped so a hostile region cannot escape the picture.
    static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "0" }
        return String(format: "%.2f", min(max(fraction, 0), 1) * 100)
    }
}
