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
    }

    /// `export FILE|ASSET... --channel C --to DIR`: checks every asset at the moment of export,
    /// writes scrubbed copies of the cleared ones only, and records each as a publication.
    ///
    /// Everything that can be known beforehand is checked before anything is written (the
    /// directory, a readable source whose bytes still match, a format that can be scrubbed, no
    /// output name already taken), so bad input changes nothing. Each copy is written under a
    /// temporary name, then linked to its final name (which fails rather than overwrite), then
    /// recorded; a failure at any step removes what that step made.
    ///
    /// `deliveredAs` names where the copies really go when `directory` is only a staging folder
    /// (the web service zips it for download and deletes it): publications then record
    /// `deliveredAs/<file>` instead of a path that will not exist.
    public func export(_ arguments: [String], channel: String, to directory: String, postURL: String?,
                       by: String, deliveredAs: String? = nil) throws -> [ExportedAsset] {
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

        // Plan every cleared asset's source and output before writing any.
        struct Plan { var index: Int; var source: String; var format: ContainerFormat; var output: String }
        var plans: [Plan] = []
        var taken = Set<String>()
        for (index, result) in results.enumerated() where result.verdict.cleared {
            let stored = try ledger.asset(result.sha256)
            let candidates = [result.path].compactMap { $0 } + (stored?.paths ?? [])
            guard let source = candidates.first(where: { (try? ContentHash.sha256(ofFileAt: $0)) == result.sha256 }) else {
                throw InputError("cannot export \(result.sha256.prefix(12)): no file with these bytes at \(candidates.isEmpty ? "any known path" : candidates.map(shown).joined(separator: ", "))")
            }
            let formatName = stored?.record.format ?? inspection.inspector.inspect(path: source).format?.rawValue
            guard let format = formatName.flatMap(ContainerFormat.init(rawValue:)) else {
                throw InputError("cannot export \(shown(source)): not a media file Clearance reads")
            }
            guard ScrubbedCopy.supportedFormats.contains(format) else {
                throw InputError("cannot export \(shown(source)): export of \(format.rawValue.uppercased()) is not supported yet")
            }
            let name = Self.outputName(for: source, sha256: result.sha256, taken: taken)
            taken.insert(name)
            let output = (dir as NSString).appendingPathComponent(name)
            guard !FileManager.default.fileExists(atPath: output) else {
                throw InputError("refusing to overwrite \(shown(output))")
            }
            plans.append(Plan(index: index, source: source, format: format, output: output))
        }

        var exported = results.map { ExportedAsset(check: $0, output: nil, outputSHA256: nil) }
        for plan in plans {
            let result = results[plan.index]
            let release = ReleaseStamp(status: result.people.isEmpty ? "MR-NAP" : "MR-LMR",
                                       consentReferences: result.consentsRelied.map(\.description))
            let temporary = (dir as NSString).appendingPathComponent(".clearance-\(UUID().uuidString).part")
            do {
                try ScrubbedCopy.write(from: plan.source, to: temporary, format: plan.format, release: release)
                let outputSHA = try ContentHash.sha256(ofFileAt: temporary)
                // link(2) fails if the name exists: an export never replaces a file.
                guard link(temporary, plan.output) == 0 else {
                    throw InputError("cannot write \(shown(plan.output)): \(String(cString: strerror(errno)))")
                }
                unlink(temporary)
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
            } catch {
                unlink(temporary)
                throw error
            }
        }
        return exported
    }

    /// The source's file name, made unique within one export by the asset's short hash.
    static func outputName(for source: String, sha256: String, taken: Set<String>) -> String {
        let name = (source as NSString).lastPathComponent
        guard taken.contains(name) else { return name }
        let stem = (name as NSString).deletingPathExtension
        let ext = (name as NSString).pathExtension
        return "\(stem)-\(sha256.prefix(8))" + (ext.isEmpty ? "" : ".\(ext)")
    }
}
