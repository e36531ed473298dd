import Foundation
import Testing

/// The files Heroku reads (issue 16, point 8) agree with each other and with the code: the
/// Procfile's commands exist, the Aptfile lists what the build links against, app.json names
/// the buildpacks in order, the add-on and a description for every variable.
@Suite struct DeploymentFilesTests {
    static func file(_ name: String) throws -> String {
        try String(contentsOfFile: TestSite.root + "/" + name, encoding: .utf8)
    }

    @Test func procfileReleasesWithMigrateAndServesTheWeb() throws {
        let lines = try Self.file("Procfile").split(separator: "\n").map(String.init)
        #expect(lines.contains("release: latchkey migrate"))
        #expect(lines.contains("web: HOST=0.0.0.0 latchkey serve"))
        #expect(lines.count == 2)
    }

    @Test func swiftVersionAndAptfileMatchTheBuild() throws {
        #expect(try Self.file(".swift-version") == "6.3.1\n")
        let apt = Set(try Self.file("Aptfile").split(separator: "\n").map(String.init))
        // Package.swift's system libraries, by their Debian packages, and pkg-config to find them.
        let package = try Self.file("Package.swift")
        for needed in ["libsqlite3-dev", "libssl-dev", "libcurl4-openssl-dev", "libpq-dev"] {
            #expect(package.contains("\"\(needed)\""))
            #expect(apt.contains(needed), "Aptfile lacks \(needed)")
        }
        #expect(apt.contains("pkg-config"))
    }

    @Test func appJSONNamesBuildpacksAddOnAndDescribedVariables() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(Self.file("app.json").utf8)) as? [String: Any])
        let buildpacks = (json["buildpacks"] as? [[String: String]])?.compactMap { $0["url"] }
        #expect(buildpacks == ["heroku-community/apt", "vapor/vapor"])
        let addons = (json["addons"] as? [[String: String]])?.compactMap { $0["plan"] }
        #expect(addons == ["heroku-postgresql"])
        let env = try #require(json["env"] as? [String: [String: Any]])
        for name in ["BASE_URL", "DATABASE_URL", "EMAIL_URL", "SECRET_KEY", "APP_ENV", "PGSSLMODE"] {
            #expect(env[name] != nil, "app.json lacks \(name)")
        }
        for (name, settings) in env {
            #expect((settings["description"] as? String)?.isEmpty == false, "\(name) has no description")
        }
        #expect(env["SECRET_KEY"]?["generator"] as? String == "secret")
        #expect(env["BASE_URL"]?["required"] as? Bool == true)
    }
}
