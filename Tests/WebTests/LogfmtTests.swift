import Testing
import Web

/// Log lines are logfmt that no input can break: values quoted and escaped as needed, and no
/// character of a message or a value can start a new line.
@Suite struct LogfmtTests {
    @Test func plainValuesStayBareOthersAreQuotedAndEscaped() {
        #expect(Logger.value("github") == "github")
        #expect(Logger.value("/auth/github/callback") == "/auth/github/callback")
        #expect(Logger.value("") == "\"\"")
        #expect(Logger.value("two words") == "\"two words\"")
        #expect(Logger.value("a=b") == "\"a=b\"")
        #expect(Logger.value(#"say "hi" \ bye"#) == #""say \"hi\" \\ bye""#)
    }

    @Test func injectedNewlinesCannotForgeALine() {
        let sink = LogSink.capturing()
        let logger = Logger(sink: sink).with("request_id", "r1\nlevel=error forged=1")
        logger.warning("social_auth_failed", ["provider": "github", "error": "x\nlevel=error injected=1\r\u{2028}"])
        logger.info("a sentence\nlevel=error injected=2")
        #expect(sink.lines.count == 2)
        for line in sink.lines {
            #expect(line.dropLast().allSatisfy { $0 != "\n" && $0 != "\r" && $0 != "\u{2028}" })
            #expect(line.hasSuffix("\n"))
        }
        #expect(sink.lines[0].contains(#"error="x\nlevel=error injected=1\r\u{2028}""#))
        #expect(sink.lines[0].hasPrefix(#"level=warning request_id="r1\nlevel=error forged=1" social_auth_failed provider=github"#))
    }
}
