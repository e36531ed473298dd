import Identity
import Testing

/// Settings are read one way for every app: fallbacks, defaults, and errors naming the variable.
@Suite struct EnvironmentReaderTests {
    let read = EnvironmentReader(["PORT": "8080", "EMPTY": "", "LIST": " a, ,b ", "FLAG": "Yes", "URL": "https://id.example.com/"],
                                 defaults: ["PROVIDER_PORT": "9090", "EMPTY": "fallback"], fallbacks: ["PROVIDER_PORT": "PORT"])

    @Test func valuesFallBackToAnotherVariableThenToTheDefault() throws {
        #expect(try read.number("PROVIDER_PORT", 0...65535) == 8080)
        #expect(read.string("EMPTY") == "fallback")
        #expect(read.optional("MISSING") == nil)
        #expect(read.list("LIST") == ["a", "b"])
        #expect(read.flag("FLAG"))
        #expect(try read.baseURL("URL", example: "x") == "https://id.example.com")
    }

    @Test func errorsNameTheVariable() {
        #expect(throws: ConfigurationError.self) { try read.number("PORT", 1...10) }
        do {
            _ = try EnvironmentReader(["APP_ENV": "staging"]).appEnvironment()
            Issue.record("accepted staging")
        } catch {
            #expect(error.variable == "APP_ENV")
            #expect(error.description.contains("development, production or test"))
        }
        #expect(throws: ConfigurationError.self) { try EnvironmentReader(["U": "ftp://x"]).baseURL("U", example: "x") }
    }
}
