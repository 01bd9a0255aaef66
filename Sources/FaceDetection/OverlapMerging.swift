/// Non-maximum suppression: of boxes that overlap by more than `threshold` (intersection over
/// union), only the best-scoring one is kept. The same face is proposed by neighbouring grid cells
/// and again by every pass at another size; this leaves one box per face.
enum OverlapMerging {
    static func suppress(_ faces: [DetectedFace], threshold: Double) -> [DetectedFace] {
        // Ties broken by position, so the same input always gives the same output.
        let ranked = faces.sorted {
            ($0.score, -$0.y, -$0.x) > ($1.score, -$1.y, -$1.x)
        }
        var kept: [DetectedFace] = []
        for face in ranked where !kept.contains(where: { $0.overlap(with: face) > threshold }) {
            kept.append(face)
        }
        return kept
    }
}
