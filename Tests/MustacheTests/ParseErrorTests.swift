import Mustache
import Testing

private func parseError(_ source: String, name: String = "page") -> ParseError? {
    do {
        _ = try Template(source, name: name)
        return nil
    } catch {
        return error
    }
}

@Test func reportsAnUnclosedSectionAtItsOpeningTag() throws {
    let error = try #require(parseError("<ul>\n\n  {{#items}}\n  <li>{{name}}</li>\n", name: "site/list"))
    #expect(error.reason == .unclosedSection("items"))
    #expect((error.line, error.column) == (3, 3))
    #expect(error.description == #"site/list:3:3: unclosed section "items""#)
}

@Test func reportsACloseThatDoesNotMatch() throws {
    let error = try #require(parseError("{{#a}}\n{{#b}}{{/a}}{{/b}}"))
    #expect(error.reason == .mismatchedClose(expected: "b", found: "a"))
    #expect((error.line, error.column) == (2, 7))
}

@Test func reportsACloseWithNothingOpen() throws {
    #expect(parseError("x{{/a}}")?.reason == .unexpectedClose("a"))
}

@Test func reportsUnclosedParentsAndBlocks() throws {
    #expect(parseError("{{<layout}}{{$body}}x{{/body}}")?.reason == .unclosedParent("layout"))
    #expect(parseError("{{$body}}x")?.reason == .unclosedBlock("body"))
}

@Test func reportsATagWithoutClosingDelimiter() throws {
    let error = try #require(parseError("héllo {{name"))
    #expect(error.reason == .unclosedTag)
    #expect((error.line, error.column) == (1, 7))
}

@Test func reportsEmptyAndMalformedTags() throws {
    #expect(parseError("{{ }}")?.reason == .emptyTag)
    #expect(parseError("{{#}}")?.reason == .emptyTag)
    #expect(parseError("{{first name}}")?.reason == .invalidName("first name"))
    #expect(parseError("{{=<% %>}}")?.reason == .invalidDelimiters("<% %>"))
    #expect(parseError("{{=a=b c=}}")?.reason == .invalidDelimiters("a=b c="))
}

@Test func countsLinesInsideMultiLineComments() throws {
    let error = try #require(parseError("{{! one\ntwo\n}}\n {{/x}}"))
    #expect((error.line, error.column) == (4, 2))
}

@Test func namesTheFileWhenLoadedFromADirectory() throws {
    let directory = try TemporaryDirectory()
    let source = (1...11).map { "line \($0)\n" }.joined() + "    {{#items}}x"
    try directory.write("site/layout.mustache", source)
    let error = try #require(throws: ParseError.self) { try TemplateLibrary(directory: directory.path) }
    #expect(error.description == #"site/layout.mustache:12:5: unclosed section "items""#)
}
