/// The mask evaluation of ISO/IEC 18004 §7.8.3, on the finished symbol with its format bits:
/// N1 for runs of five or more same-coloured modules (plus one per module beyond five), N2 per
/// 2×2 block of one colour, N3 per finder-like 1:1:3:1:1 pattern with four light modules on a
/// side (the quiet zone counts as light), N4 per 5 % the dark share strays from half.
extension QRMatrix {
    static let n1 = 3, n2 = 3, n3 = 40, n4 = 10

    var penalty: Int {
        var score = 0
        for line in 0..<size {
            score += linePenalty { self[x: $0, y: line] }
            score += linePenalty { self[x: line, y: $0] }
        }
        for y in 0..<size - 1 {
            for x in 0..<size - 1 {
                let colour = self[x: x, y: y]
                if colour == self[x: x + 1, y: y] && colour == self[x: x, y: y + 1] && colour == self[x: x + 1, y: y + 1] {
                    score += Self.n2
                }
            }
        }
        let dark = modules.count(where: { $0 }), total = size * size
        // The smallest k with the dark share within (50 ± 5(k+1)) %.
        let k = (abs(dark * 20 - total * 10) + total - 1) / total - 1
        return score + k * Self.n4
    }

    /// Rule 1 and rule 3 along one row or column, read through `module`.
    private func linePenalty(_ module: (Int) -> Bool) -> Int {
        var score = 0
        var runColour = false, runLength = 0
        var history = RunHistory(size: size)
        for index in 0..<size {
            if module(index) == runColour {
                runLength += 1
                if runLength == 5 { score += Self.n1 } else if runLength > 5 { score += 1 }
            } else {
                history.add(runLength)
                if !runColour { score += history.finderLikePatterns * Self.n3 }
                runColour = module(index)
                runLength = 1
            }
        }
        // Close the line: a dark run is recorded, then the quiet zone as one light run.
        if runColour {
            history.add(runLength)
            runLength = 0
        }
        history.add(runLength + size)
        return score + history.finderLikePatterns * Self.n3
    }
}

/// The last seven run lengths of a line, newest first; the first run is widened by the quiet
/// zone, which is light.
private struct RunHistory {
    let size: Int
    var runs = [Int](repeating: 0, count: 7)

    mutating func add(_ length: Int) {
        runs.removeLast()
        runs.insert(runs[0] == 0 ? length + size : length, at: 0)
    }

    /// How many 1:1:3:1:1 patterns (of any module width n) end here with 4n light on one side
    /// and at least n on the other: 0, 1 or 2.
    var finderLikePatterns: Int {
        let n = runs[1]
        let core = n > 0 && runs[2] == n && runs[3] == n * 3 && runs[4] == n && runs[5] == n
        return (core && runs[0] >= n * 4 && runs[6] >= n ? 1 : 0) + (core && runs[6] >= n * 4 && runs[0] >= n ? 1 : 0)
    }
}
