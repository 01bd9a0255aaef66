import Foundation

/// What YuNet's outputs mean, written out because OpenCV 4.6's `FaceDetectorYN` cannot load the
/// 2023mar model (see README, "Face detection"). The network looks at the input on three grids,
/// one cell per 8, 16 and 32 pixels; every cell predicts one face: a class score, an objectness
/// score and a box relative to the cell. OpenCV ≥ 4.8's `FaceDetectorYN` decodes the same way.
enum YuNetDecoding {
    static let strides = [8, 16, 32]

    /// The blobs to fetch, in the order `Outputs` expects them: per stride, class, objectness, box.
    static let outputNames: [String] = strides.flatMap { ["cls_\($0)", "obj_\($0)", "bbox_\($0)"] }

    /// The network only accepts sizes in whole cells of the coarsest grid.
    static func inputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let cell = strides.last!
        return ((width + cell - 1) / cell * cell, (height + cell - 1) / cell * cell)
    }

    /// How many floats each output in `outputNames` holds for an input of this size.
    static func outputCounts(inputWidth: Int, inputHeight: Int) -> [Int] {
        strides.flatMap { stride -> [Int] in
            let cells = (inputWidth / stride) * (inputHeight / stride)
            return [cells, cells, cells * 4]
        }
    }

    /// A face the network proposes, in input pixels.
    struct Candidate: Equatable {
        var x: Double
        var y: Double
        var w: Double
        var h: Double
        var score: Double
    }

    /// Every cell whose score reaches `threshold`. `outputs` holds the blobs in `outputNames`
    /// order, each of the size `outputCounts` gives; cells are row by row, top-left first.
    /// Score = √(clamp(class) · clamp(objectness)); box centre = (column + dx, row + dy) · stride,
    /// size = (e^dw, e^dh) · stride.
    static func candidates(_ outputs: [[Float]], inputWidth: Int, inputHeight: Int, threshold: Double) -> [Candidate] {
        precondition(outputs.count == strides.count * 3, "one class, objectness and box blob per stride")
        var found: [Candidate] = []
        for (level, stride) in strides.enumerated() {
            let classes = outputs[level * 3], objectness = outputs[level * 3 + 1], boxes = outputs[level * 3 + 2]
            let columns = inputWidth / stride, rows = inputHeight / stride
            guard classes.count >= rows * columns, objectness.count >= rows * columns, boxes.count >= rows * columns * 4 else { continue }
            for row in 0..<rows {
                for column in 0..<columns {
                    let cell = row * columns + column
                    let score = (clamp(classes[cell]) * clamp(objectness[cell])).squareRoot()
                    guard score >= threshold else { continue }
                    let dx = Double(boxes[cell * 4]), dy = Double(boxes[cell * 4 + 1])
                    let dw = Double(boxes[cell * 4 + 2]), dh = Double(boxes[cell * 4 + 3])
                    // A damaged or hostile blob must not turn into infinite boxes.
                    guard dx.isFinite, dy.isFinite, dw.isFinite, dh.isFinite, dw < 20, dh < 20 else { continue }
                    let s = Double(stride)
                    let w = exp(dw) * s, h = exp(dh) * s
                    let cx = (Double(column) + dx) * s, cy = (Double(row) + dy) * s
                    found.append(Candidate(x: cx - w / 2, y: cy - h / 2, w: w, h: h, score: score))
                }
            }
        }
        return found
    }

    private static func clamp(_ value: Float) -> Double {
        guard value.isFinite else { return 0 }
        return Double(min(max(value, 0), 1))
    }
}
