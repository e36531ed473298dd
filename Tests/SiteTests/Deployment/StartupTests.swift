import Web
import Foundation
import Site
import Testing

/// The site refuses to start rather than serve broken pages.
@Suite struct StartupTests {
    @Test func missingTemplatesDirectoryStopsStartUp() async throws {
        await #expect(throws: Application.StartupError.self) {
            try await TestSite.make(["TEMPLATES_DIR": "/nonexistent/templates"])
        }
    }

    @Test func templatesDirectoryWithoutTheSiteTemplatesStopsStartUp() async throws {
        let empty = NSTemporaryDirectory() + "latchkey-empty-templates-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        do {
            _ = try await TestSite.make(["TEMPLATES_DIR": empty])
            Issue.record("the site started without its templates")
        } catch let error as Application.StartupError {
            #expect(error.description.contains("site/layout"))
            #expect(error.description.contains("TEMPLATES_DIR"))
        }
    }
}
