import Foundation
import Mustache
import Testing

/// One test case from the official Mustache spec files.
struct SpecCase: Sendable, CustomTestStringConvertible {
    let file: String
    let name: String
    let data: MustacheValue
    let template: String
    let partials: [String: String]
    let expected: String

    var testDescription: String { "\(file): \(name)" }
}

/// Loads every `*.json` spec file at test time, so a new spec case needs no code.
///
/// The specs live beside the repository (`<repo>/../shared/specs/mustache`, the repository being
/// two folders above this file's folder); `MUSTACHE_SPEC_DIR` overrides that.
enum SpecSuite {
    static let directory: URL = {
        if let override = ProcessInfo.processInfo.environment["MUSTACHE_SPEC_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // MustacheTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // repository root
        return repository.appendingPathComponent("../shared/specs/mustache", isDirectory: true).standardizedFileURL
    }()

    /// Whether the spec files are there. A clone without `../shared` has none: the spec tests
    /// are then skipped, saying why, instead of failing for something that is not our code.
    static var isPresent: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// What a skipped run says.
    static var skipReason: Comment {
        Comment(rawValue: "the official Mustache spec is not at \(directory.path): put the spec's JSON files "
            + "(github.com/mustache/spec, specs/*.json) there, or point MUSTACHE_SPEC_DIR at them")
    }

    static let loaded: Result<[SpecCase], any Error> = Result { try load() }

    static var cases: [SpecCase] { (try? loaded.get()) ?? [] }

    private static func load() throws -> [SpecCase] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }
            .sorted()
        return try files.flatMap { file -> [SpecCase] in
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let tests = root["tests"] as? [[String: Any]]
            else { throw SpecFileError.malformed(file) }
            let suite = String(file.dropLast(".json".count))
            var seen: [String: Int] = [:]
            return try tests.map { test in
                guard let name = test["name"] as? String, let template = test["template"] as? String,
                      let expected = test["expected"] as? String
                else { throw SpecFileError.malformed(file) }
                seen[name, default: 0] += 1
                return SpecCase(
                    file: suite,
                    name: seen[name]! > 1 ? "\(name) (\(seen[name]!))" : name,
                    data: MustacheValue(jsonObject: test["data"] ?? NSNull()),
                    template: template,
                    partials: test["partials"] as? [String: String] ?? [:],
                    expected: expected
                )
            }
        }
    }
}

enum SpecFileError: Error {
    case malformed(String)
}

@Test(.enabled(if: SpecSuite.isPresent, SpecSuite.skipReason))
func specFilesLoad() throws {
    let cases = try SpecSuite.loaded.get()
    #expect(!cases.isEmpty, "no spec cases under \(SpecSuite.directory.path)")
}

@Test(.enabled(if: SpecSuite.isPresent, SpecSuite.skipReason), arguments: SpecSuite.cases)
func rendersAsTheSpecExpects(_ spec: SpecCase) throws {
    let library = try TemplateLibrary(templates: spec.partials)
    let template = try Template(spec.template)
    #expect(template.render(spec.data, library: library) == spec.expected)
}
