import Mustache
import Testing

@Test func loadsEveryTemplateUnderADirectoryByRelativeName() throws {
    let directory = try TemporaryDirectory()
    try directory.write("index.mustache", "index")
    try directory.write("site/layout.mustache", "layout")
    try directory.write("site/deep/part.mustache", "part")
    try directory.write("notes.txt", "ignored")
    let library = try TemplateLibrary(directory: directory.path)
    #expect(Set(library.names) == ["index", "site/layout", "site/deep/part"])
    #expect(library.render(MustacheValue.null, template: "site/deep/part") == "part")
}

@Test func honoursAnotherFileExtension() throws {
    let directory = try TemporaryDirectory()
    try directory.write("mail/welcome.txt.tmpl", "Hi {{name}}")
    try directory.write("page.mustache", "ignored")
    let library = try TemplateLibrary(directory: directory.path, fileExtension: "tmpl")
    #expect(Set(library.names) == ["mail/welcome.txt"])
}

@Test func answersNilForAnUnknownTemplate() throws {
    let library = try TemplateLibrary(templates: ["a": "A"])
    #expect(library.render(MustacheValue.null, template: "b") == nil)
    var buffer: [UInt8] = []
    #expect(!library.render(MustacheValue.null, template: "b", into: &buffer))
    #expect(library.render(MustacheValue.null, template: "a", into: &buffer) && buffer == Array("A".utf8))
}

@Test func failsOnAMissingDirectory() {
    #expect(throws: TemplateLibrary.LoadError.unreadableDirectory("/nonexistent/templates")) {
        try TemplateLibrary(directory: "/nonexistent/templates")
    }
}

@Test func prefersTheFullNameThenTheIncludingTemplatesFolder() throws {
    let library = try TemplateLibrary(templates: [
        "site/page": "[{{>header}}|{{>footer}}|{{>site/footer}}|{{>missing}}]",
        "site/header": "site header",
        "header": "top header",
        "site/footer": "site footer",
    ])
    #expect(library.render(MustacheValue.null, template: "site/page") == "[top header|site footer|site footer|]")
}

@Test func resolvesPartialsRelativeToTheTemplateThatIncludesThem() throws {
    // `site/page` includes `blog/post`, whose own `{{>byline}}` resolves inside `blog/`.
    let library = try TemplateLibrary(templates: [
        "site/page": "{{>blog/post}}",
        "blog/post": "post {{>byline}}",
        "blog/byline": "by ann",
        "site/byline": "wrong",
    ])
    #expect(library.render(MustacheValue.null, template: "site/page") == "post by ann")
}

@Test func rendersFromManyTasksAtOnce() async throws {
    let library = try TemplateLibrary(templates: ["row": "{{#rows}}<{{.}}>{{/rows}}"])
    let results = await withTaskGroup(of: Bool.self) { group in
        for task in 0..<8 {
            group.addTask {
                let rows = MustacheValue.list((0..<50).map { .int($0 * task) })
                let expected = (0..<50).map { "<\($0 * task)>" }.joined()
                let value: MustacheValue = ["rows": rows]
                return (0..<200).allSatisfy { _ in library.render(value, template: "row") == expected }
            }
        }
        return await group.reduce(into: [Bool]()) { $0.append($1) }
    }
    #expect(results == Array(repeating: true, count: 8))
}
