import Foundation
import Testing
@testable import Identity

/// Session values are written and read by hand (issue 17): what we write must be what
/// `JSONEncoder` would mean, and what `JSONEncoder` wrote must read back the same.
@Suite struct SessionValuesJSONTests {
    static let samples: [[String: String]] = [
        [:],
        ["_csrf": "abc123", "_flash": "[{\"kind\":\"info\",\"message\":\"Signed in.\"}]"],
        ["quote": "\"", "backslash": "\\", "slash": "a/b", "controls": "\u{0}\u{1}\u{8}\u{c}\n\r\t\u{1f}", "del": "\u{7f}"],
        ["unicode": "Grüße, 東京, 👩🏽‍💻", "": "empty key", "key with spaces": ""],
        ["upstream_logout": "sibling 1 a-b_c%d", "next": "/account?connect=github&x=1#frag"],
    ]

    @Test(arguments: samples) func whatWeWriteJSONDecoderReadsAndSoDoWe(_ values: [String: String]) throws {
        let text = SessionValuesJSON.encode(values)
        #expect(try JSONDecoder().decode([String: String].self, from: Data(text.utf8)) == values)
        #expect(SessionValuesJSON.decode(text) == values)
    }

    @Test(arguments: samples) func whatJSONEncoderWroteReadsTheSame(_ values: [String: String]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(values), as: UTF8.self)
        #expect(SessionValuesJSON.decode(text) == values)
    }

    @Test func escapesAndSurrogatesAreRead() {
        #expect(SessionValuesJSON.decode(#"{"a":"\u00e9\ud83d\ude00\/\b\f","b" : "x" }"#) == ["a": "é😀/\u{8}\u{c}", "b": "x"])
    }

    /// Not an object of strings: nil, whichever reader tried.
    @Test(arguments: ["", "[]", "{", "{\"a\":1}", "{\"a\":\"b\"", "{\"a\":\"b\"} x", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\x\"}",
                      "{\"a\":{\"b\":\"c\"}}", "{\"a\":\"line\nbreak\"}", "null"])
    func malformedTextReadsAsNothing(_ text: String) {
        #expect(SessionValuesJSON.decode(text) == nil)
    }

    @Test func equalValuesStoreEqualText() {
        var forwards: [String: String] = [:], backwards: [String: String] = [:]
        for n in 0..<20 { forwards["k\(n)"] = "v\(n)" }
        for n in (0..<20).reversed() { backwards["k\(n)"] = "v\(n)" }
        #expect(SessionValuesJSON.encode(forwards) == SessionValuesJSON.encode(backwards))
    }
}
