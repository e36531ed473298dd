import Testing
import Web

@Suite struct FormDataTests {
    private func decode(_ text: String) -> FormData? { FormData(urlEncoded: Substring(text)) }

    @Test func plusIsSpaceAndPercentTwoBIsPlus() throws {
        let form = try #require(decode("q=a+b%2Bc&name=J%C3%BCrgen"))
        #expect(form["q"] == "a b+c")
        #expect(form["name"] == "Jürgen")
    }

    @Test func repeatedKeysAreKeptInOrder() throws {
        let form = try #require(decode("tag=a&x=1&tag=b&tag=c"))
        #expect(form["tag"] == "a")
        #expect(form.all("tag") == ["a", "b", "c"])
        #expect(form.pairs.map(\.name) == ["tag", "x", "tag", "tag"])
    }

    @Test func emptySegmentsAreSkippedAndBareKeysHaveEmptyValues() throws {
        let form = try #require(decode("&a=1&&flag&b=&=x&"))
        #expect(form.pairs.map(\.name) == ["a", "flag", "b", ""])
        #expect(form["flag"] == "")
        #expect(form["b"] == "")
        #expect(form[""] == "x")
    }

    @Test func onlyTheFirstEqualsSplits() throws {
        let form = try #require(decode("token=abc==&eq=a=b"))
        #expect(form["token"] == "abc==")
        #expect(form["eq"] == "a=b")
    }

    @Test func escapeCaseDoesNotMatter() throws {
        #expect(try #require(decode("p=%2f%2F"))["p"] == "//")
    }

    @Test(arguments: ["a=%", "a=%4", "a=%zz", "a=%4g", "%=1", "a=1&b=%G0", "a=%FF", "a=%C3", "a=%C3%28"])
    func malformedEscapeOrBrokenUTF8FailsTheWholeForm(text: String) {
        #expect(decode(text) == nil)
    }

    @Test func emptyTextIsAnEmptyForm() throws {
        #expect(try #require(decode("")).pairs.isEmpty)
    }

    @Test func encodesSpaceAsPlusAndEverythingButUnreservedAsEscapes() {
        let form = FormData([("q", "a b+c&d=e/é~_.-")])
        #expect(form.encoded == "q=a+b%2Bc%26d%3De%2F%C3%A9~_.-")
    }

    @Test func encodingRoundTrips() throws {
        var form = FormData()
        form.append("redirect_uri", "https://app.example/cb?x=1&y=2")
        form.append("note", "50% off, 100% + tax ✓")
        form.append("note", "")
        let decoded = try #require(decode(form.encoded))
        #expect(decoded.pairs.map(\.name) == form.pairs.map(\.name))
        #expect(decoded.pairs.map(\.value) == form.pairs.map(\.value))
    }

    @Test func iteratesPairsInOrder() throws {
        let form = try #require(decode("b=2&a=1"))
        #expect(Array(form).map { "\($0.name)=\($0.value)" } == ["b=2", "a=1"])
    }
}
