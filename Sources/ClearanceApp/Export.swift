import ClearanceCore
import Foundation
import Ledger
import MediaMetadata

extension AssetOperations {
    /// What `export` did with one asset.
    public struct ExportedAsset: Sendable {
        public var check: CheckResult
        /// The file written, when the asset was cleared and exported.
        public var output: String?
        public var outputSHA256: String?
        /// Why a cleared asset was not exported: its file is gone, or its copy could not be made
        /// or failed its check (and was deleted).
        public var notExported: String?
        /// What the copy is and how it was checked ("converted from HEIC to JPEG (quality 92)").
        public var notes: [String] = []
    }

    /// `export FILE|ASSET... --channel C --to DIR`: checks every asset at the moment of export,
    /// writes scrubbed copies of the cleared ones only, and records each as a publication.
    ///
    /// Everything about the request is checked before anything is written (the directory, the
    /// channel, the post URL, no output name already taken), so bad input changes nothing. Then
    /// each cleared asset is exported on its own: one whose file is gone, whose copy cannot be
    /// made, or whose copy fails its check (`ScrubbedCopy`) is reported with the reason in
    /// `notExported`, and the others are still exported. Each copy is written under a temporary
    /// name, then linked to its final name (which fails rather than overwrite), then recorded;
    /// a failure at any step removes what that step made.
    ///
    /// `deliveredAs` names where the copies really go when `directory` is only a staging folder
    /// (the web service zips it for download and deletes it): publications then record
    /// `deliveredAs/<file>` instead of a path that will not exist. `progress` hears of each
    /// copy before it is made (videos take a while: each is remuxed and every frame decoded).
    public func export(_ arguments: [String], channel: String, to directory: String, postURL: String?,
                       by: String, deliveredAs: String? = nil,
                       progress: ((_ done: Int, _ total: Int, _ name: String) -> Void)? = nil) throws -> [ExportedAsset] {
        let dir = URL(fileURLWithPath: directory).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError("output directory does not exist: \(directory)")
        }
        guard access(dir, W_OK | X_OK) == 0 else { throw InputError("output directory is not writable: \(directory)") }
        // Stored as Foundation writes it out again: it is shown as a link on takedown lists.
        let postURL = try postURL.map(PostURL.normalised)
        // For the web service (`deliveredAs`), messages name files, never the server's folders.
        func shown(_ path: String) -> String { deliveredAs == nil ? path : (path as NSString).lastPathComponent }
        let results = try check(arguments, channel: channel, at: nil)
        var exported = results.map { ExportedAsset(check: $0, output: nil, outputSHA256: nil) }
        let options = ExportOptions(keepHEIC: results.first.map { configuration.keepHEIC.contains($0.verdict.channel) } ?? false)

        // Plan every cleared asset's source and output before writing any.
        struct Plan { var index: Int; var source: String; var format: ContainerFormat; var output: String }
        var plans: [Plan] = []
        var taken = Set<String>()
        for (index, result) in results.enumerated() where result.verdict.cleared {
            let stored = try ledger.asset(result.sha256)
            let candidates = [result.path].compactMap { $0 } + (stored?.paths ?? [])
            guard let source = candidates.first(where: { (try? ContentHash.sha256(ofFileAt: $0)) == result.sha256 }) else {
                exported[index].notExported = "no file with these bytes at \(candidates.isEmpty ? "any known path" : candidates.map(shown).joined(separator: ", "))"
                continue
            }
            let formatName = stored?.record.format ?? inspection.inspector.inspect(path: source).format?.rawValue
            guard let format = formatName.flatMap(ContainerFormat.init(rawValue:)), ScrubbedCopy.supportedFormats.contains(format) else {
                exported[index].notExported = "\((source as NSString).lastPathComponent) is not a media file Clearance reads"
                continue
            }
            let copyFormat = ScrubbedCopy.outputFormat(for: format, options: options)
            let name = Self.outputName(for: source, sha256: result.sha256, convertedTo: copyFormat == format ? nil : copyFormat, taken: taken)
            taken.insert(name)
            let output = (dir as NSString).appendingPathComponent(name)
            guard !FileManager.default.fileExists(atPath: output) else {
                throw InputError("refusing to overwrite \(shown(output))")
            }
            plans.append(Plan(index: index, source: source, format: format, output: output))
        }

        for (number, plan) in plans.enumerated() {
            let result = results[plan.index]
            progress?(number, plans.count, (plan.source as NSString).lastPathComponent)
            let release = ReleaseStamp(status: result.people.isEmpty ? "MR-NAP" : "MR-LMR",
                                       consentReferences: result.consentsRelied.map(\.description))
            let temporary = (dir as NSString).appendingPathComponent(".clearance-\(UUID().uuidString).part")
            let report: ScrubbedCopyReport
            let outputSHA: String
            do {
                report = try ScrubbedCopy.write(from: plan.source, to: temporary, format: plan.format, release: release, options: options)
                outputSHA = try ContentHash.sha256(ofFileAt: temporary)
                // link(2) fails if the name exists: an export never replaces a file.
                guard link(temporary, plan.output) == 0 else {
                    throw ScrubError.cannotCreate("\(shown(plan.output)): \(String(cString: strerror(errno)))")
                }
                unlink(temporary)
            } catch {
                unlink(temporary)
                var reason = "\(error)"
                if deliveredAs != nil {
                    // The copy's errors name its folders; the web service shows file names only.
                    for folder in [dir, (plan.source as NSString).deletingLastPathComponent] {
                        reason = reason.replacingOccurrences(of: folder + "/", with: "")
                    }
                }
                exported[plan.index].notExported = reason
                continue
            }
            do {
                try ledger.recordPublication(PublicationRecord(
                    sha256: result.sha256, outputSHA256: outputSHA, channel: result.verdict.channel,
                    path: deliveredAs.map { "\($0)/\((plan.output as NSString).lastPathComponent)" } ?? plan.output,
                    postURL: postURL, consents: result.consentsRelied, by: by, at: .now))
            } catch {
                unlink(plan.output)
                throw error
            }
            exported[plan.index].output = plan.output
            exported[plan.index].outputSHA256 = outputSHA
            exported[plan.index].notes = report.notes
        }
        progress?(plans.count, plans.count, "")
        return exported
    }

    /// The source's file name, made unique within one export by the asset's short hash.
    /// A copy converted to another format (HEIC or TIFF to JPEG) takes that format's extension.
    static func outputName(for source: String, sha256: String, convertedTo format: ContainerFormat?, taken: Set<String>) -> String {
        var name = (source as NSString).lastPathComponent
        if let format {
            name = (name as NSString).deletingPathExtension + "." + ScrubbedCopy.fileExtension(for: format)
        }
        guard taken.contains(name) else { return name }
        let stem = (name as NSString).deletingPathExtension
        let ext = (name as NSString).pathExtension
        return "\(stem)-\(sha256.prefix(8))" + (ext.isEmpty ? "" : ".\(ext)")
    }
}
