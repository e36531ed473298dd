import Foundation
import Mustache
import Testing

private struct Author: MustacheObject {
    let name: String
    let email: String?

    func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "name": .string(name)
        case "email": email.mustacheValue
        default: nil
        }
    }
}

private struct Post: MustacheObject {
    let title: String
    let score: Int
    let author: Author
    let tags: [String]

    func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "title": .string(title)
        case "score": .int(score)
        case "author": author.mustacheValue
        case "tags": tags.mustacheValue
        default: nil
        }
    }
}

private struct Page: MustacheObject {
    let heading: String
    let posts: [Post]

    func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "heading": .string(heading)
        case "posts": posts.mustacheValue
        default: nil
        }
    }
}

private let page = Page(heading: "News", posts: [
    Post(title: "One", score: 3, author: Author(name: "ann", email: "ann@example.com"), tags: ["a", "b"]),
    Post(title: "Two", score: 0, author: Author(name: "bob", email: nil), tags: []),
])

@Test func rendersTypedStructsAndArraysOfThem() throws {
    let template = try Template(
        "{{#posts}}{{title}} by {{author.name}} ({{score}}){{#tags}} #{{.}}{{/tags}};{{/posts}}")
    #expect(template.render(page) == "One by ann (3) #a #b;Two by bob (0);")
}

@Test func looksUpMissingKeysFurtherDownTheStack() throws {
    let template = try Template("{{#posts}}{{heading}}/{{title}} {{/posts}}")
    #expect(template.render(page) == "News/One News/Two ")
}

@Test func resolvesLaterPartsOfADottedNameOnlyInTheFirstMatch() throws {
    // `author` exists in the post, so `author.heading` must not fall back to the page's heading.
    let template = try Template("{{#posts}}[{{author.heading}}]{{/posts}}")
    #expect(template.render(page) == "[][]")
}

@Test func stopsAtAPresentNullValue() throws {
    let template = try Template("{{#inner}}[{{name}}]{{/inner}}")
    let value: MustacheValue = ["name": "outer", "inner": ["name": nil]]
    #expect(template.render(value) == "[]")
}

@Test func treatsNullFalseZeroEmptyStringAndEmptyListAsFalsey() throws {
    let template = try Template("{{#v}}yes{{/v}}{{^v}}no{{/v}}")
    let falsey: [MustacheValue] = [nil, false, 0, 0.0, "", []]
    let truthy: [MustacheValue] = [true, 1, 0.5, "x", [0], [:]]
    for value in falsey { #expect(template.render(["v": value] as MustacheValue) == "no") }
    for value in truthy { #expect(template.render(["v": value] as MustacheValue) == "yes") }
    #expect(template.render(Page(heading: "", posts: [])) == "no")
}

@Test func treatsOptionalsAsNullWhenAbsent() throws {
    let template = try Template(
        "{{#posts}}{{#author.email}}<{{author.email}}>{{/author.email}}{{^author.email}}-{{/author.email}}{{/posts}}")
    #expect(template.render(page) == "<ann@example.com>-")
}

@Test func iteratesObjectListElementsAsContextsOfTheirOwn() throws {
    // `{{#.}}` re-enters the current element; `{{.}}` of an object renders nothing.
    let template = try Template("{{#posts}}{{#.}}{{title}}{{.}}{{/.}}{{/posts}}")
    #expect(template.render(page) == "OneTwo")
}

@Test func convertsJSONKeepingBooleansIntegersAndDoublesApart() throws {
    let json = #"{"b": true, "i": 1, "d": 1.5, "z": 0, "s": "x", "n": null, "l": [1]}"#
    let value = try MustacheValue(json: Data(json.utf8))
    let template = try Template("{{b}} {{i}} {{d}} {{#z}}z{{/z}}{{s}} [{{n}}] {{#l}}{{.}}{{/l}}")
    #expect(template.render(value) == "true 1 1.5 x [] 1")
}

@Test func offersSubscriptsOnObjectValues() {
    let value: MustacheValue = ["a": ["b": 2]]
    guard case .int(let number)? = value["a"]?["b"] else {
        Issue.record("expected an integer")
        return
    }
    #expect(number == 2)
    #expect(value["missing"] == nil)
}


