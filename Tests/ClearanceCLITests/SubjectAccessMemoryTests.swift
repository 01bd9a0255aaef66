import ClearanceApp
import CTurboJPEG
import Foundation
import Testing

/// A JPEG of a few hundred bytes may declare 12000×12000 pixels. Decoded at full size that is
/// 432 MB of RGB for one picture of a subject access pack; Clearance decodes it at a reduced
/// scale instead. Measured as the peak resident memory of a real `clearance sar` process.
@Suite(.serialized) struct SubjectAccessMemoryTests {
    /// A real 16×16 JPEG whose frame header is rewritten to declare `width`×`height`: the scan
    /// ends long before the picture does, as in a hostile file.
    static func jpegDeclaring(width: UInt16, height: UInt16) throws -> Data {
        let handle = try #require(tjInitCompress())
        defer { tjDestroy(handle) }
        let pixels = [UInt8](repeating: 180, count: 16 * 16 * 3)
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let status = pixels.withUnsafeBufferPointer {
            tjCompress2(handle, $0.baseAddress, 16, 48, 16, Int32(TJPF_RGB.rawValue), &output, &size, Int32(TJSAMP_420.rawValue), 80, 0)
        }
        defer { if let output { tjFree(output) } }
        #expect(status == 0)
        var jpeg = Data(bytes: try #require(output), count: Int(size))
        let sof = try #require(jpeg.firstRange(of: Data([0xFF, 0xC0])))
        // SOF0: marker, length (2), precision (1), height (2), width (2).
        jpeg.replaceSubrange((sof.lowerBound + 5)..<(sof.lowerBound + 9),
                             with: [UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF)])
        return jpeg
    }

    /// Runs the binary and answers its exit status and peak resident memory in KiB.
    ///
    /// The process is started by a small Python process, which reads its children's `ru_maxrss`.
    /// Started from this test process directly, the figure would be wrong: Linux counts the
    /// high-water mark of the memory a child shares with its parent until `exec`, and this test
    /// process holds a few hundred megabytes.
    static func peakMemory(_ arguments: [String]) throws -> (status: Int32, kibibytes: Int) {
        let measure = """
            import resource, subprocess, sys
            code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
            print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", measure, CLIRunner.binary.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let fields = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(process.terminationStatus == 0 && fields.count == 2, "the measuring process failed")
        return (Int32(fields.first ?? -1), fields.last ?? .max)
    }

    @Test func aPictureDeclaring12000By12000PixelsIsDecodedSmall() throws {
        let fair = try FairLedger()
        let jpeg = try Self.jpegDeclaring(width: 12000, height: 12000)
        #expect(jpeg.count < 1000)
        let file = fair.dir.appendingPathComponent("declares-144-megapixels.jpg")
        try jpeg.write(to: file)
        let amira = try fair.person("Amira Khan")
        #expect(try fair.run(["ingest", file.path]).status == 0)
        #expect(try fair.run(["tag", file.path, "--person", amira, "--by", "test"]).status == 0)

        let pack = fair.dir.appendingPathComponent("pack")
        let (status, peak) = try Self.peakMemory(["sar", amira, "--to", pack.path, "--db", fair.db, "--config", fair.config])
        #expect(status == 0)
        #expect(peak < 100 * 1024, "clearance sar peaked at \(peak / 1024) MiB")

        // The copy is in the pack, decoded at a reduced scale (Pictures' DCT scaling).
        let data = try JSONSerialization.jsonObject(with: Data(contentsOf: pack.appendingPathComponent("data.json"))) as? [String: Any]
        let assets = data?["assets"] as? [[String: Any]] ?? []
        let sizes = try assets.compactMap { $0["file"] as? String }.filter { $0.hasSuffix(".jpg") }.compactMap {
            SubjectAccessTests.dimensions(try Data(contentsOf: pack.appendingPathComponent($0)))
        }
        #expect(sizes.contains { $0.0 < 12000 && $0.0 == $0.1 && $0.0 * $0.1 <= JPEGRedaction.limits.maximumDecodedPixels }, "\(sizes)")
    }
}
