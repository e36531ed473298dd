/// An immutable set of named templates that can include one another.
///
/// Partial (`{{>name}}`) and parent (`{{<name}}`) tags are resolved at render time, first by the
/// full name as written, then relative to the including template's folder: inside
/// `site/page`, `{{>layout}}` finds `layout` if there is one and otherwise `site/layout`.
/// Names use `/` between folders and never carry the file extension.
public struct TemplateLibrary: Sendable {
    private let templates: [String: Template]

    /// A library of already-parsed templates, each under its ``Template/name``.
    public init(_ templates: [Template]) {
        self.templates = Dictionary(templates.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Parses each source under its name; throws the first ``ParseError``.
    public init(templates sources: [String: String]) throws(ParseError) {
        var templates: [String: Template] = [:]
        for (name, source) in sources {
            templates[name] = try Template(source, name: name)
        }
        self.templates = templates
    }

    /// The template called `name`, if any.
    public subscript(name: String) -> Template? {
        templates[name]
    }

    /// Every template name in the library.
    public var names: Dictionary<String, Template>.Keys {
        templates.keys
    }

    /// Renders the template called `name` with `value`; `nil` when there is no such template.
    public func render(_ value: some MustacheRenderable, template name: String) -> String? {
        templates[name]?.render(value, library: self)
    }

    /// Renders the template called `name` into `buffer` (see ``Template/render(_:library:into:)``);
    /// `false` when there is no such template.
    @discardableResult
    public func render(_ value: some MustacheRenderable, template name: String, into buffer: inout [UInt8]) -> Bool {
        guard let template = templates[name] else { return false }
        template.render(value, library: self, into: &buffer)
        return true
    }

    /// The template a partial or parent tag refers to.
    func template(for name: PartialName) -> Template? {
        if let template = templates[name.name] { return template }
        if let relative = name.relative { return templates[relative] }
        return nil
    }
}
