import Foundation
import Testing
import Web
import WebTesting

/// Issue 13: at the descriptor limit the accept loop used to spin on EMFILE (45 MB of log a
/// second, `/healthz` unanswered). Now accepting pauses with backoff, the error is logged at most
/// once a second, and service resumes when descriptors free up.
@Suite struct DescriptorLimitTests {
    @Test(.enabled(if: DeploymentTests.binary != nil, "needs the latchkey binary"))
    func atTheDescriptorLimitTheServerNeitherSpinsNorFloodsTheLogAndRecovers() async throws {
        let directory = try Scratch.directory("emfile")
        let port = try DeploymentTests.freePort()
        let log = directory + "/site.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -n 64 && exec \"$0\" serve", try #require(DeploymentTests.binary)]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = DeploymentTests.baseEnvironment
        env["PORT"] = String(port)
        env["DATABASE_URL"] = "sqlite:" + directory + "/site.sqlite3"
        env["EVENT_LOOPS"] = "1"
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardError = FileHandle.nullDevice
        try Subprocess.start(process)
        defer { process.terminate() }
        let http = CurlHTTPClient(connectTimeout: 1, totalTimeout: 2)
        var up = false
        for _ in 0..<100 where !up {
            up = (try? await http.send(.get("http://127.0.0.1:\(port)/healthz")))?.status == 200
            if !up { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        try #require(up, "the site did not start")

        // Far more idle connections than the process has descriptors.
        var held: [RawConnection] = []
        for _ in 0..<120 { if let connection = try? RawConnection(port: port, timeout: 2) { held.append(connection) } }
        try await Task.sleep(nanoseconds: 1_500_000_000)
        let logged = (try? Data(contentsOf: URL(fileURLWithPath: log)).count) ?? 0
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(logged < 100_000, "the log grew by \(logged) bytes")
        #expect(text.contains("accept_paused"), "the exhaustion is reported")
        #expect(text.components(separatedBy: "accept_paused").count - 1 <= 5, "at most about once a second")

        held.removeAll()
        var recovered = false
        for _ in 0..<50 where !recovered {
            recovered = (try? await http.send(.get("http://127.0.0.1:\(port)/healthz")))?.status == 200
            if !recovered { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        #expect(recovered, "/healthz answers once descriptors are free again")
    }
}
