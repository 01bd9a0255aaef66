/// What a still-image container holds for Clearance, before EXIF and XMP are interpreted.
struct ImageMetadata {
    /// The file's EXIF as a TIFF structure (header "II*\0" / "MM\0*" at offset 0).
    var exif: TIFFStructure?
    /// XMP packets in file order: the main packet, then a reassembled ExtendedXMP if any.
    var xmpPackets: [[UInt8]] = []
    /// Frame size from the image data itself (JPEG SOF, PNG IHDR, TIFF IFD, HEIF ispe).
    var width: Int?
    var height: Int?
    /// Set when the container is damaged; what was found before the damage is kept.
    var problem: MediaReadError?
}
