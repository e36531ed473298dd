import Foundation
import Security

/// In development, a secret generated once and kept in a git-ignored file, so sessions, signing
/// keys and encrypted tokens survive restarts without any configuration. Production refuses to
/// start without a configured secret, so this never runs there.
public enum DevelopmentSecret {
    /// The secret file could not be read or written.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let detail: String
        public var description: String { "cannot read or create the development secret key: \(detail)" }
    }

    /// The secret in `path`, or a new one written there (mode 0600); `created` says which.
    public static func load(path: String) throws(Failure) -> (secret: String, created: Bool) {
        if let existing = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
           existing.count >= 32 {
            return (existing, false)
        }
        let secret = SecureRandom.token(byteCount: 48)
        let folder = (path as NSString).deletingLastPathComponent
        do {
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        } catch {
            throw Failure(detail: "\(error)")
        }
        guard FileManager.default.createFile(atPath: path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw Failure(detail: "could not write \(path)")
        }
        return (secret, true)
    }
}
