import Mustache
import Testing

private let library = try! TemplateLibrary(templates: [
    "site/layout": """
        <html>
        <head><title>{{$title}}Latchkey{{/title}}</title></head>
        <body>
          {{>site/nav}}
          <main>
            {{$content}}
            <p>Nothing here.</p>
            {{/content}}
          </main>
        </body>
        </html>

        """,
    "site/nav": "<nav>\n  <a href=\"/\">{{$navLabel}}Home{{/navLabel}}</a>\n</nav>\n",
    "site/login": """
        {{<layout}}
        {{$title}}Sign in{{/title}}
        {{$content}}
        <h1>Sign in</h1>
        {{#providers}}
        <a href="/auth/{{id}}">{{name}}</a>
        {{/providers}}
        {{/content}}
        {{/layout}}

        """,
])

@Test func fillsALayoutsBlocksAndReindentsThem() throws {
    let value: MustacheValue = ["providers": [["id": "github", "name": "GitHub"], ["id": "google", "name": "Google"]]]
    #expect(library.render(value, template: "site/login") == """
        <html>
        <head><title>Sign in</title></head>
        <body>
          <nav>
            <a href="/">Home</a>
          </nav>
          <main>
            <h1>Sign in</h1>
            <a href="/auth/github">GitHub</a>
            <a href="/auth/google">Google</a>
          </main>
        </body>
        </html>

        """)
}

@Test func rendersDefaultBlockContentWithoutAChild() throws {
    let output = try #require(library.render(MustacheValue.null, template: "site/layout"))
    #expect(output.contains("<title>Latchkey</title>"))
    #expect(output.contains("    <p>Nothing here.</p>\n  </main>"))
}

@Test func passesBlocksIntoPartialsOfTheParent() throws {
    let library = try TemplateLibrary(templates: [
        "layout": "{{>nav}}|{{$body}}{{/body}}",
        "nav": "{{$navLabel}}Home{{/navLabel}}",
        "page": "{{<layout}}{{$navLabel}}Back{{/navLabel}}{{$body}}B{{/body}}{{/layout}}",
    ])
    #expect(library.render(MustacheValue.null, template: "page") == "Back|B")
}

@Test func indentsNestedStandalonePartials() throws {
    let library = try TemplateLibrary(templates: [
        "outer": "<div>\n  {{>inner}}\n</div>\n",
        "inner": "<ul>\n  {{>item}}\n</ul>\n",
        "item": "<li>{{text}}</li>\n",
    ])
    #expect(library.render(["text": "a\nb"] as MustacheValue, template: "outer")
        == "<div>\n  <ul>\n    <li>a\nb</li>\n  </ul>\n</div>\n")
}

@Test func stopsATemplateThatIncludesItselfForever() throws {
    let library = try TemplateLibrary(templates: ["loop": "x{{>loop}}", "parent": "{{<parent}}{{/parent}}"])
    #expect(library.render(MustacheValue.null, template: "loop") == String(repeating: "x", count: 101))
    #expect(library.render(MustacheValue.null, template: "parent") == "")
}
