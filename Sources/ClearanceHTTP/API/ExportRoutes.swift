import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird
import Ledger

/// `/api/v1/export` and the check page's download: what `export` does, answered as a zip.
extension ClearanceService {
    struct ExportBody: Decodable {
        var assets: [String]
        var channel: String
        var postURL: String?
    }

    func addExportRoutes(_ book: RouteBook) {
        book.add(.post, "/api/v1/export", .roles([.editor, .dpo])) { request, context in
            let body = try await request.decode(as: ExportBody.self, context: context)
            return try exportZip(hashes: body.assets, channel: body.channel, postURL: body.postURL,
                                 by: context.user?.name ?? "unknown")
        }
    }

    /// Checks the assets now, writes scrubbed copies of the cleared ones into a private folder
    /// (each recorded as a publication by the export operation), and answers them zipped. The
    /// counts are in `X-Clearance-Exported` and `X-Clearance-Blocked`. Nothing cleared: 409.
    func exportZip(hashes: [String], channel: String, postURL: String?, by user: String) throws -> Response {
        guard !hashes.isEmpty else { throw APIError(.badRequest, "assets: give at least one SHA-256") }
        guard hashes.count <= Self.maximumAssetsPerCheck else {
            throw APIError(.badRequest, "assets: at most \(Self.maximumAssetsPerCheck) per request")
        }
        for hash in hashes where !Self.isSHA256(hash) {
            throw APIError(.badRequest, "assets: \"\(hash.prefix(80))\" is not a SHA-256 (64 hex digits)")
        }
        let safeChannel = channel.filter { $0.isLetter || $0.isNumber || $0 == "-" }.prefix(40)
        let downloadName = "cleared-\(safeChannel).zip"
        let prepared = try ZipDownload.make(in: settings.uploadDirectory, downloadName: downloadName) { folder in
            let exported = try assets.export(hashes.map { $0.lowercased() }, channel: channel, to: folder, postURL: postURL, by: user,
                                             deliveredAs: "download:\(downloadName)")
            guard exported.contains(where: { $0.output != nil }) else {
                throw APIError(.conflict, "none of the \(exported.count) assets is cleared for \(channel); nothing was exported")
            }
            return exported
        }
        var response = prepared.response
        let written = prepared.value.filter { $0.output != nil }.count
        response.headers[.init("X-Clearance-Exported")!] = String(written)
        response.headers[.init("X-Clearance-Blocked")!] = String(prepared.value.count - written)
        return response
    }
}
