import Foundation
import Testing
@testable import Security

/// The QR encoder against reference matrices from two independent encoders (see
/// QRReference/generate.py): same version, same mask choice, every module equal.
@Suite struct QRCodeTests {
    struct Reference: CustomTestStringConvertible, Sendable {
        let name: String
        let data: [UInt8]
        let version: Int
        let mask: Int
        let rows: [String]
        var testDescription: String { name }
    }

    static let references: [Reference] = {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("QRReference")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.filter { $0.hasSuffix(".txt") }.sorted().compactMap { file in
            guard let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8) else { return nil }
            var lines = text.split(separator: "\n").map(String.init)
            guard lines.count > 3, let data = Hex.decode(lines[0].dropFirst("data-hex: ".count)),
                  let version = Int(lines[1].dropFirst("version: ".count)), let mask = Int(lines[2].dropFirst("mask: ".count)) else { return nil }
            lines.removeFirst(3)
            return Reference(name: String(file.dropLast(4)), data: data, version: version, mask: mask, rows: lines)
        }
    }()

    @Test func referencesArePresent() {
        #expect(Self.references.count >= 8)
        #expect(Set(Self.references.map(\.version)).isSuperset(of: [1, 2, 7, 10]))
    }

    @Test(arguments: references)
    func matchesTheReferenceModuleForModule(reference: Reference) throws {
        let code = try QRCode.encode(reference.data)
        #expect(code.version == reference.version)
        #expect(code.mask == reference.mask, "mask chosen by the penalty rules")
        #expect(code.size == 17 + 4 * reference.version)
        #expect(code.text.split(separator: "\n").map(String.init) == reference.rows)
        // Forcing another mask changes the data area but never the finder patterns.
        let other = try QRCode.encode(reference.data, mask: (reference.mask + 1) % 8)
        #expect(other.text != code.text)
        #expect((0..<7).allSatisfy { y in (0..<7).allSatisfy { x in other[x: x, y: y] == code[x: x, y: y] } })
    }

    @Test func capacityEndsAtVersionTen() throws {
        #expect(QRCode.byteCapacity(version: 1) == 14)
        #expect(QRCode.byteCapacity(version: 10) == 213)
        #expect(try QRCode.encode([UInt8](repeating: 0x41, count: 213)).version == 10)
        #expect(throws: QRCodeError.dataTooLong(214)) { try QRCode.encode([UInt8](repeating: 0x41, count: 214)) }
        #expect(throws: QRCodeError.invalidMask(8)) { try QRCode.encode("A", mask: 8) }
    }

    @Test func svgIsSelfContained() throws {
        let code = try QRCode.encode("otpauth://totp/Latchkey:ada?secret=JBSWY3DPEHPK3PXP&issuer=Latchkey")
        let svg = code.svg(moduleSize: 3, border: 4)
        let extent = code.size + 8
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(extent * 3)\""))
        #expect(svg.contains("viewBox=\"0 0 \(extent) \(extent)\""))
        #expect(svg.contains("M4,4h1v1h-1z"), "the top-left finder's corner module, offset by the quiet zone")
        let dark = (0..<code.size).reduce(0) { total, y in total + (0..<code.size).filter { code[x: $0, y: y] }.count }
        #expect(svg.components(separatedBy: "h1v1h-1z").count - 1 == dark)
        #expect(!svg.contains("<script") && !svg.contains("href"))
    }

    /// An image needs a name for screen readers (axe-core's svg-img-alt); the name is escaped.
    @Test func svgHasAnEscapedAccessibleName() throws {
        let code = try QRCode.encode("otpauth://totp/x")
        #expect(code.svg().contains("role=\"img\" aria-label=\"QR code\""))
        #expect(code.svg(label: "a\"<b>&'").contains("aria-label=\"a&quot;&lt;b&gt;&amp;&#39;\""))
    }
}
