import Testing
import Web
import WebTesting

/// Replays every file of Tests/WebTests/Corpus (malformed and request-smuggling attempts, written
/// by scripts/lib/make_corpus.py) against a live server, one fresh server per file.
@Suite struct SmugglingCorpusTests {
    /// What a protocol error may be answered with: 4xx, plus the two 5xx codes RFC 9112 assigns
    /// to an unknown transfer coding (501) and an unsupported version (505). Never 408: every
    /// file is complete, so a timeout would mean the server waited for bytes that never come.
    static let errorStatuses: Set<Int> = [400, 413, 414, 431, 501, 505]
    static let smuggledMarker = "smuggled-request-answered"

    /// `/` answers "ok" to GET and POST; `/smuggled`, the target of every hidden request, answers
    /// a marker that must never come back.
    private func corpusApplication() -> Application {
        let router = Router()
        router.get("/") { _, _ in "ok" }
        router.post("/") { _, _ in "ok" }
        router.get("/smuggled") { _, _ in Self.smuggledMarker }
        return quietApplication(router)
    }

    @Test func corpusHoldsAtLeastTwoHundredRequests() {
        #expect(CorpusCase.all().count >= 200)
    }

    @Test(.serialized, arguments: CorpusCase.all())
    func replayGetsOneErrorThenACloseAndTheServerLivesOn(_ corpusCase: CorpusCase) async throws {
        // Long server timeouts: a file the server cannot judge from its bytes alone must show up
        // as the client's read timing out, not as a 408 that passes for a verdict.
        try await withLiveServer(corpusApplication(), configure: { $0.requestTimeout = 30; $0.idleTimeout = 30 }) { live in
            let port = live.port
            let outcome = try await onThread { try CorpusReplay.run(corpusCase, port: port) }
            let statuses = outcome.responses.map(\.status)
            let expectedCount = corpusCase.validRequests + (corpusCase.expectsError ? 1 : 0)
            #expect(statuses.count == expectedCount, "answers: \(statuses)")
            for (index, response) in outcome.responses.enumerated() {
                #expect(!response.body.contains(Self.smuggledMarker), "a hidden request was answered")
                if index < corpusCase.validRequests {
                    #expect(response.status == 200 && response.body == "ok", "valid request \(index + 1): \(response.status)")
                } else {
                    #expect(Self.errorStatuses.contains(response.status), "error status: \(response.status)")
                }
            }
            #expect(outcome.leftover == 0, "bytes after the last response")
            #expect(outcome.ending != .timedOut, "the server kept the connection open")

            let fresh = try Wire.open(live)
            let after = try await fresh.exchange(rawGet("/"))
            #expect(after?.status == 200 && after?.text == "ok", "the server stopped answering")
        }
    }
}
