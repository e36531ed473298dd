/// Error correction for level M: the block structure of ISO/IEC 18004 Table 9 for versions 1 to
/// 10, Reed-Solomon over GF(256) with the polynomial x⁸ + x⁴ + x³ + x² + 1, and interleaving.
enum QRBlocks {
    /// Per version (index 0 is version 1): EC codewords per block, then the blocks as
    /// (count, data codewords each); shorter blocks come first.
    static let levelM: [(ecPerBlock: Int, groups: [(count: Int, data: Int)])] = [
        (10, [(1, 16)]),
        (16, [(1, 28)]),
        (26, [(1, 44)]),
        (18, [(2, 32)]),
        (24, [(2, 43)]),
        (16, [(4, 27)]),
        (18, [(4, 31)]),
        (22, [(2, 38), (2, 39)]),
        (22, [(3, 36), (2, 37)]),
        (26, [(4, 43), (1, 44)]),
    ]

    /// Data codewords `version` holds at level M.
    static func dataCodewords(version: Int) -> Int {
        levelM[version - 1].groups.reduce(0) { $0 + $1.count * $1.data }
    }

    /// The final codeword sequence: `data` split into blocks, each block's EC codewords
    /// computed, then data and EC interleaved column by column.
    static func interleaved(data: [UInt8], version: Int) -> [UInt8] {
        let layout = levelM[version - 1]
        var blocks: [[UInt8]] = []
        var offset = 0
        for group in layout.groups {
            for _ in 0..<group.count {
                blocks.append(Array(data[offset..<offset + group.data]))
                offset += group.data
            }
        }
        let divisor = generator(degree: layout.ecPerBlock)
        let corrections = blocks.map { remainder($0, divisor: divisor) }
        var result: [UInt8] = []
        for column in 0..<(blocks.map(\.count).max() ?? 0) {
            for block in blocks where column < block.count { result.append(block[column]) }
        }
        for column in 0..<layout.ecPerBlock {
            for correction in corrections { result.append(correction[column]) }
        }
        return result
    }

    /// The generator polynomial (x − α⁰)(x − α¹)…(x − α^(degree−1)), leading 1 dropped, highest
    /// power first.
    static func generator(degree: Int) -> [UInt8] {
        var coefficients = [UInt8](repeating: 0, count: degree)
        coefficients[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for index in 0..<degree {
                coefficients[index] = multiply(coefficients[index], root)
                if index + 1 < degree { coefficients[index] ^= coefficients[index + 1] }
            }
            root = multiply(root, 0x02)
        }
        return coefficients
    }

    /// The remainder of `data` · x^degree divided by the generator: the EC codewords.
    static func remainder(_ data: [UInt8], divisor: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for byte in data {
            let factor = byte ^ result.removeFirst()
            result.append(0)
            for index in 0..<result.count { result[index] ^= multiply(divisor[index], factor) }
        }
        return result
    }

    /// Multiplication in GF(256) modulo 0x11D.
    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var product: UInt16 = 0
        for bit in stride(from: 7, through: 0, by: -1) {
            product = (product << 1) ^ ((product >> 7) * 0x11D)
            product ^= UInt16((y >> UInt8(bit)) & 1) * UInt16(x)
        }
        return UInt8(truncatingIfNeeded: product)
    }
}
