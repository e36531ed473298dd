import Foundation

extension TemplateLibrary {
    /// Why a template directory could not be loaded (template syntax errors throw ``ParseError``).
    public enum LoadError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The directory does not exist or cannot be listed.
        case unreadableDirectory(String)
        /// A template file cannot be read as UTF-8 text.
        case unreadableFile(String)

        /// A short human-readable message.
        public var description: String {
            switch self {
            case .unreadableDirectory(let path): "cannot list template directory \(path)"
            case .unreadableFile(let path): "cannot read template file \(path) as UTF-8"
            }
        }
    }

    /// One template file's text, before parsing.
    public struct Source: Sendable {
        /// The template's name: its path without the extension (`site/layout`).
        public let name: String
        /// Its path relative to the directory, for parse errors (`site/layout.mustache`).
        public let file: String
        /// The file's text.
        public var text: String
    }

    /// Loads every `*.fileExtension` file under `directory`, recursively, naming each by its path
    /// relative to `directory` without the extension (`site/layout.mustache` is `site/layout`).
    ///
    /// Throws ``LoadError`` for unreadable files or directories and ``ParseError`` (naming the
    /// file, like `site/layout.mustache:12:5`) for templates that do not parse.
    public init(directory: String, fileExtension: String = "mustache") throws {
        try self.init(sources: Self.sources(directory: directory, fileExtension: fileExtension))
    }

    /// Parses sources read by ``sources(directory:fileExtension:)`` (perhaps rewritten first).
    public init(sources: [Source]) throws {
        self.init(try sources.map { source in try Template(source.text, name: source.name, errorName: source.file) })
    }

    /// Reads every `*.fileExtension` file under `directory` without parsing it.
    public static func sources(directory: String, fileExtension: String = "mustache") throws -> [Source] {
        // Resolve a symlinked folder first: the enumerator does not descend into a link.
        let root = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL.resolvingSymlinksInPath()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue,
              let enumerator = FileManager.default.enumerator(atPath: root.path)
        else { throw LoadError.unreadableDirectory(directory) }

        let suffix = "." + fileExtension
        var sources: [Source] = []
        while let relativePath = enumerator.nextObject() as? String {
            guard relativePath.hasSuffix(suffix) else { continue }
            let path = root.appendingPathComponent(relativePath).path
            guard let data = FileManager.default.contents(atPath: path),
                  let text = String(data: data, encoding: .utf8)
            else {
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue { continue }
                throw LoadError.unreadableFile(path)
            }
            sources.append(Source(name: String(relativePath.dropLast(suffix.count)), file: relativePath, text: text))
        }
        return sources
    }
}
