import Foundation
import Testing

/// `latchkey create-admin`, run as the built binary in a scratch folder.
@Suite struct CreateAdminCommandTests {
    /// The `latchkey` executable built next to this test bundle, if the build made one.
    static let binary: String? = {
        let here = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        let candidates = [here.appendingPathComponent("latchkey").path, TestSite.root + "/.build/debug/latchkey"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    private struct Outcome {
        let status: Int32
        let output: String
        let errors: String
    }

    private func run(_ arguments: [String], stdin: String, in directory: String, environment extra: [String: String] = [:]) throws -> Outcome {
        var environment = ["PATH": "/usr/bin:/bin", "APP_ENV": "test", "DATABASE_URL": "sqlite:\(directory)/site.sqlite3",
                           "MIGRATIONS_DIR": TestSite.root + "/db/migrations", "SECRET_KEY": "cli-test-secret-0123456789abcdef0123456789",
                           "PASSWORD_HASH_COST": "10", "LOG_LEVEL": "warning"]
        for (key, value) in extra { environment[key] = value }
        let outcome = try Subprocess.run(try #require(Self.binary), arguments, stdin: stdin, directory: directory, environment: environment)
        return Outcome(status: outcome.status, output: outcome.output, errors: outcome.errors)
    }

    private func scratchDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "latchkey-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test(.enabled(if: binary != nil, "the latchkey executable is built"))
    func createAdminWithPasswordOnStdinMakesAnAdministratorWhoCanSignIn() async throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try run(["create-admin", "--username", "root", "--email", "root@example.com", "--password-stdin"],
                              stdin: TestSite.password + "\n", in: directory)
        #expect(outcome.status == 0, "\(outcome.errors)")
        #expect(outcome.output.contains("created administrator root"))

        let site = try await TestSite.make(["DATABASE_URL": "sqlite:\(directory)/site.sqlite3"])
        let client = site.client()
        #expect(await client.signIn("root").location == "/admin")
        #expect(await client.get("/admin").status.code == 200)

        let again = try run(["create-admin", "--username", "ROOT", "--email", "root@example.com", "--password-stdin"],
                            stdin: "another long passphrase\n", in: directory)
        #expect(again.status == 0, "\(again.errors)")
        #expect(again.output.contains("promoted root"))
    }

    @Test(.enabled(if: binary != nil, "the latchkey executable is built"))
    func createAdminRefusesAWeakPasswordWithAMessage() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try run(["create-admin", "--username", "root", "--email", "root@example.com", "--password-stdin"],
                              stdin: "short\n", in: directory)
        #expect(outcome.status != 0)
        #expect(outcome.errors.contains("password"))
        #expect(outcome.errors.contains("Use at least 10 characters."))
    }

    @Test(.enabled(if: binary != nil, "the latchkey executable is built"))
    func badConfigurationNamesTheVariable() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try run(["create-admin", "--username", "root", "--email", "root@example.com", "--password-stdin"],
                              stdin: TestSite.password + "\n", in: directory, environment: ["APP_ENV": "production", "SECRET_KEY": ""])
        #expect(outcome.status != 0)
        #expect(outcome.errors.contains("SECRET_KEY"))
    }

    @Test(.enabled(if: binary != nil, "the latchkey executable is built"))
    func missingOptionsAreRefused() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try run(["create-admin", "--username", "root", "--password-stdin"], stdin: TestSite.password + "\n", in: directory)
        #expect(outcome.status != 0)
        #expect(outcome.errors.contains("--email"))
    }
}
