import Foundation

/// Runs child processes from tests without tripping over two corelibs-Foundation weaknesses on
/// Linux: `Process.run()` is not safe to call from several threads at once (the suite runs tests
/// in parallel), and `FileHandle` reads on pipes trap on EINTR. Launches are serialised, and the
/// child's input and output go through files instead of pipes.
enum Subprocess {
    private static let launch = NSLock()

    /// Starts `process` under the launch lock.
    static func start(_ process: Process) throws {
        launch.lock()
        defer { launch.unlock() }
        try process.run()
    }

    /// What a finished child printed, and how it ended.
    struct Outcome: Sendable {
        let status: Int32
        let output: String
        let errors: String
    }

    /// Runs `executable` to completion with `stdin` as its input.
    static func run(_ executable: String, _ arguments: [String], stdin: String = "", directory: String,
                    environment: [String: String]) throws -> Outcome {
        let scratch = NSTemporaryDirectory() + "latchkey-subprocess-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let inputPath = scratch + "/stdin", outputPath = scratch + "/stdout", errorPath = scratch + "/stderr"
        FileManager.default.createFile(atPath: inputPath, contents: Data(stdin.utf8))
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        FileManager.default.createFile(atPath: errorPath, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        process.standardInput = FileHandle(forReadingAtPath: inputPath)
        process.standardOutput = FileHandle(forWritingAtPath: outputPath)
        process.standardError = FileHandle(forWritingAtPath: errorPath)
        try start(process)
        process.waitUntilExit()
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        return Outcome(status: process.terminationStatus, output: output, errors: errors)
    }
}
