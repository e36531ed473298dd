import Foundation

/// Temporary folders for tests, all under one per-process folder that is removed when the test
/// process exits, so a run leaves no databases behind in /tmp.
enum Scratch {
    static let root: String = {
        let root = NSTemporaryDirectory() + "latchkey-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Scratch.root) }
        return root
    }()

    /// A new, empty folder named after `prefix`.
    static func directory(_ prefix: String) throws -> String {
        let path = root + "/" + prefix + "-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
