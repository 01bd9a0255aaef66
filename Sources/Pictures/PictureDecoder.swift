import Foundation

/// Why a picture could not be decoded. The message names the format and the problem in words a
/// user can act on ("JPEG of 90000×90000 pixels is larger than Clearance decodes").
public struct PictureError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The still-picture formats this module decodes, told apart by their first bytes.
public enum PictureFormat: String, Sendable, CaseIterable {
    case jpeg, png, tiff, heic

    public init?(sniffing bytes: some Collection<UInt8>) {
        let head = Array(bytes.prefix(12))
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + prefix.count && Array(head[offset..<offset + prefix.count]) == prefix
        }
        if starts([0xFF, 0xD8, 0xFF]) { self = .jpeg }
        else if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { self = .png }
        else if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { self = .tiff }
        else if starts(Array("ftyp".utf8), at: 4),
                ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"].contains(String(decoding: head[8..<12], as: UTF8.self)) {
            self = .heic
        } else { return nil }
    }
}

/// Bounds on what a decode may cost, whatever the file declares. A 600-byte JPEG can declare
/// 12000×12000 pixels; without these a hostile file costs gigabytes.
public struct PictureLimits: Sendable {
    /// Files larger than this are refused before any decoding.
    public var maximumBytes: Int
    /// Largest picture (as the file declares it) that is looked at at all.
    public var maximumDeclaredPixels: Int
    /// Most pixels a decoded picture may have. JPEG is decoded at a reduced scale to fit (libjpeg's
    /// DCT scaling, so the full-size picture never exists in memory); formats that cannot be
    /// decoded at a reduced scale are refused when they declare more than this.
    public var maximumDecodedPixels: Int

    public init(maximumBytes: Int = 200 << 20, maximumDeclaredPixels: Int = 400_000_000,
                maximumDecodedPixels: Int = 24_000_000) {
        self.maximumBytes = maximumBytes
        self.maximumDeclaredPixels = maximumDeclaredPixels
        self.maximumDecodedPixels = maximumDecodedPixels
    }

    /// About 72 MB of RGB at most per decoded picture.
    public static let standard = PictureLimits()
}

/// Decodes JPEG, PNG, TIFF and HEIC/HEIF files to upright RGB `Picture`s with bounded memory.
public enum PictureDecoder {
    /// Decodes `data` and turns it upright.
    ///
    /// - Parameters:
    ///   - orientation: the EXIF orientation the metadata reader found (1–8). HEIF files carry
    ///     their own rotation and mirroring (`irot`/`imir`), which libheif applies, so it is
    ///     ignored for them, as the HEIF specification says.
    ///   - longSide: when given, JPEG is decoded at the smallest DCT scale whose longer side is still
    ///     at least this (decoding at 1/2 takes about half the time of a full decode). The picture
    ///     returned may be larger than this; scale it with `Picture.scaled(toFit:)`.
    public static func decode(_ data: Data, orientation: Int?, longSide: Int? = nil,
                              limits: PictureLimits = .standard) throws -> Picture {
        guard !data.isEmpty else { throw PictureError("the file is empty") }
        guard data.count <= limits.maximumBytes else {
            throw PictureError("the file is larger than \(limits.maximumBytes >> 20) MiB, more than Clearance decodes")
        }
        guard let format = PictureFormat(sniffing: data) else {
            throw PictureError("not a JPEG, PNG, TIFF or HEIC picture")
        }
        switch format {
        case .jpeg: return try JPEGCodec.decode(data, longSide: longSide, limits: limits).oriented(orientation)
        case .png: return try PNGDecoding.decode(data, limits: limits).oriented(orientation)
        case .tiff: return try TIFFDecoding.decode(data, limits: limits).oriented(orientation)
        case .heic: return try HEIFDecoding.decode(data, limits: limits)
        }
    }

    /// Reads and decodes the file at `url` (see `decode(_:orientation:longSide:limits:)`).
    public static func decode(contentsOf url: URL, orientation: Int?, longSide: Int? = nil,
                              limits: PictureLimits = .standard) throws -> Picture {
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        if let size, size > limits.maximumBytes {
            throw PictureError("the file is larger than \(limits.maximumBytes >> 20) MiB, more than Clearance decodes")
        }
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw PictureError("cannot read \(url.lastPathComponent): \(error.localizedDescription)")
        }
        return try decode(data, orientation: orientation, longSide: longSide, limits: limits)
    }

    /// Refuses sizes no decoder should be asked for; shared by every format.
    static func checkDeclared(width: Int, height: Int, format: String, limits: PictureLimits) throws {
        guard width > 0, height > 0 else { throw PictureError("\(format) declares no picture size") }
        guard width.multipliedReportingOverflow(by: height).partialValue <= limits.maximumDeclaredPixels,
              width <= 65_535, height <= 65_535 else {
            throw PictureError("\(format) of \(width)×\(height) pixels is larger than Clearance decodes")
        }
    }

    /// For formats decoded at full size only.
    static func checkFullDecode(width: Int, height: Int, format: String, limits: PictureLimits) throws {
        try checkDeclared(width: width, height: height, format: format, limits: limits)
        guard width * height <= limits.maximumDecodedPixels else {
            throw PictureError("\(format) of \(width)×\(height) pixels is larger than Clearance decodes at full size")
        }
    }
}
