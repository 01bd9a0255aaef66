import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird

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
            let user = context.user?.name ?? "unknown"
            return try await Self.onOwnThread {
                try exportZip(hashes: body.assets, channel: body.channel, postURL: body.postURL, by: user)
            }
        }
    }

    /// Runs blocking work on a thread of its own. An export decodes every frame of every video
    /// to check its copy, which can take minutes; on the server's few cooperative threads that
    /// would hold up every other request meanwhile.
    static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// Checks the assets now, writes scrubbed copies of the cleared ones into a private folder
    /// (each recorded as a publication by the export operation), and answers them zipped. The
    /// counts are in `X-Clearance-Exported`, `X-Clearance-Blocked` and `X-Clearance-Not-Exportable`;
    /// cleared assets that could not be exported are listed with their reasons in the zip's
    /// `NOT-EXPORTED.txt`. Nothing exported: 409.
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
            let failed = exported.filter { $0.notExported != nil }
            guard exported.contains(where: { $0.output != nil }) else {
                if let first = failed.first, let reason = first.notExported {
                    throw APIError(.conflict, "nothing was exported: \(failed.count) cleared asset(s) could not be, e.g. \(first.check.sha256.prefix(12)): \(reason)")
                }
                throw APIError(.conflict, "none of the \(exported.count) assets is cleared for \(channel); nothing was exported")
            }
            if !failed.isEmpty {
                let lines = failed.map { "\($0.check.sha256)  \($0.check.path.map { ($0 as NSString).lastPathComponent } ?? "")\n  \($0.notExported ?? "")" }
                let text = Data(("Cleared but not exported:\n" + lines.joined(separator: "\n") + "\n").utf8)
                // A copy could itself be called NOT-EXPORTED.txt; neither is ever overwritten.
                let list = URL(fileURLWithPath: folder).appendingPathComponent("NOT-EXPORTED.txt")
                if (try? text.write(to: list, options: .withoutOverwriting)) == nil {
                    try text.write(to: URL(fileURLWithPath: folder).appendingPathComponent("NOT-EXPORTED-\(UUID().uuidString).txt"),
                                   options: .withoutOverwriting)
                }
            }
            return exported
        }
        var response = prepared.response
        let written = prepared.value.filter { $0.output != nil }.count
        let blocked = prepared.value.filter { !$0.check.verdict.cleared }.count
        response.headers[.init("X-Clearance-Exported")!] = String(written)
        response.headers[.init("X-Clearance-Blocked")!] = String(blocked)
        response.headers[.init("X-Clearance-Not-Exportable")!] = String(prepared.value.count - written - blocked)
        return response
    }
}
