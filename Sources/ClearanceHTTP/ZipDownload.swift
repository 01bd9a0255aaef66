import ClearanceApp
import ClearanceCore
import Foundation
import Hummingbird
import ZIPFoundation

/// A folder of files answered as a zip download. The folder is made privately inside `parent`,
/// filled by the caller, zipped, and removed before the answer is sent: the open zip file is
/// streamed from its descriptor after it was unlinked, so nothing is left behind even when the
/// client goes away.
enum ZipDownload {
    struct Prepared<Value> {
        var value: Value
        var response: Response
    }

    /// `fill` gets an empty folder to write into (`folder/name` when `keepFolder`, so the zip
    /// holds one top-level folder called `name`) and returns what it did.
    static func make<Value>(in parent: String, downloadName: String, folderName: String? = nil,
                            _ fill: (String) throws -> Value) throws -> Prepared<Value> {
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let work = (parent as NSString).appendingPathComponent(".zip-\(Secret.generate(bytes: 12))")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: work) }
        let content = (work as NSString).appendingPathComponent(folderName ?? "content")
        if folderName == nil {
            try FileManager.default.createDirectory(atPath: content, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o700])
        }
        let value = try fill(content)
        let zipPath = (work as NSString).appendingPathComponent("download.zip")
        try FileManager.default.zipItem(at: URL(fileURLWithPath: content), to: URL(fileURLWithPath: zipPath),
                                        shouldKeepParent: folderName != nil)
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: zipPath))
        let size = Int(try handle.seekToEnd())
        try handle.seek(toOffset: 0)
        let body = ResponseBody(contentLength: size) { writer in
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        }
        var response = Response(status: .ok, headers: [.contentType: "application/zip"], body: body)
        response.headers[.contentDisposition] = "attachment; filename=\"\(downloadName)\""
        return Prepared(value: value, response: response)
    }
}
