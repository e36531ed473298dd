import Mustache
import Testing

@Test func escapesHTMLSpecialCharactersByDefault() throws {
    let template = try Template("{{text}}")
    #expect(template.render(["text": "<a href=\"x\">Tom & 'Jerry'</a>"] as MustacheValue)
        == "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;")
}

@Test func leavesTripleMustacheAndAmpersandUnescaped() throws {
    let template = try Template("{{{html}}}|{{&html}}")
    #expect(template.render(["html": "<b>&</b>"] as MustacheValue) == "<b>&</b>|<b>&</b>")
}

@Test func keepsNonASCIITextIntact() throws {
    let template = try Template("{{a}} · {{b}}")
    let value: MustacheValue = ["a": "Zoë <3", "b": "日本語 & ✓"]
    #expect(template.render(value) == "Zoë &lt;3 · 日本語 &amp; ✓")
}

@Test func formatsNumbersAndBooleans() throws {
    let template = try Template("{{a}} {{b}} {{c}} {{d}} {{e}}")
    let value: MustacheValue = ["a": 0, "b": -1234567, "c": 1.5, "d": true, "e": .int(Int.min)]
    #expect(template.render(value) == "0 -1234567 1.5 true \(Int.min)")
}

@Test func rendersListsObjectsAndNullAsNothing() throws {
    let template = try Template("[{{list}}{{object}}{{null}}{{missing}}]")
    #expect(template.render(["list": [1, 2], "object": ["a": 1], "null": nil] as MustacheValue) == "[]")
}

@Test func producesTheSameBytesAsTheStringRender() throws {
    let template = try Template("{{#items}}<li>{{.}} · é</li>\n{{/items}}")
    let value: MustacheValue = ["items": .list((0..<100).map { .string("item \($0) <\($0)>") })]
    var bytes: [UInt8] = Array("prefix:".utf8)
    template.render(value, into: &bytes)
    #expect(bytes == Array(("prefix:" + template.render(value)).utf8))
    #expect(template.render(value).contains("<li>item 99 &lt;99&gt; · é</li>"))
}
