import Foundation

/// Files the static-file tests serve, found next to this source file so the tests run from any
/// working directory.
enum Fixtures {
    /// `Tests/WebTests/Fixtures`.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path

    /// The document root: `Fixtures/Public`.
    static let publicDirectory = root + "/Public"

    /// A text that appears only in `Fixtures/secret.txt`, outside the document root; no response
    /// may ever contain it.
    static let secretMarker = "OUTSIDE-THE-PUBLIC-TREE"

    /// The bytes of a fixture file, by path relative to `Fixtures/`.
    static func bytes(_ relativePath: String) -> [UInt8] {
        Array(FileManager.default.contents(atPath: root + "/" + relativePath) ?? Data())
    }
}
