import Foundation
import Security
import Testing
@testable import Web

/// `JSONBody` writes `JSONValue`s itself; `JSONEncoder` with the same settings is the reference.
struct JSONBodyTests {
    static let values: [JSONValue] = [
        .object(["access_token": "abc", "token_type": "Bearer", "expires_in": 3600, "scope": "read write", "refresh_token": "x-y_z"]),
        .object(["Z": 1, "_x": 2, "a10": 3, "a9": 4, "aB": 5, "a_b": 6, "ab": 7, "é": 8, "e": .null, "f": .bool(false)]),
        .object(["url": "https://example.com/a/b?c=d", "quote": "say \"hi\"", "back": "a\\b", "unicode": "café ☕ \u{2028}"]),
        .array([.int(-42), .int(0), .int(Int.max), .bool(true), .null, .array([]), .object([:])]),
        .object(["nested": .object(["b": .array(["x", "y"]), "a": .object(["k": "v"])])]),
        // Left to JSONEncoder: a fraction, a control character.
        .object(["ratio": .double(0.1), "whole": .double(1.0)]),
        .object(["line": "one\ntwo\ttab\u{1}"]),
    ]

    @Test(arguments: values) func encodesExactlyAsJSONEncoderDoes(value: JSONValue) throws {
        let reference = try JSONBody.encoder().encode(value)
        #expect(try JSONBody.encode(value) == Array(reference))
    }

    @Test func leavesFractionsAndControlCharactersToJSONEncoder() {
        #expect(JSONValue.object(["a": .double(0.5)]).sortedCompactJSON == nil)
        #expect(JSONValue.string("a\u{7}b").sortedCompactJSON == nil)
        #expect(JSONValue.object(["a": "b"]).sortedCompactJSON == Array(#"{"a":"b"}"#.utf8))
    }
}
