import Runtime
import Testing
import Web

/// Outbound calls run apart from database work, within one deadline per task.
@Suite struct OutboundDeadlineTests {
    @Test func providerCallsRunOnTheirOwnPool() {
        #expect(CurlHTTPClient().pool !== WorkerPool.shared, "a hanging provider must not hold database threads")
    }

    @Test func aCallPastTheDeadlineFailsAtOnceAsATimeout() async throws {
        let client = CurlHTTPClient()
        await OutboundDeadline.run(seconds: 0) {
            await #expect(throws: ClientError.timedOut) { _ = try await client.send(.get("http://127.0.0.1:9/never")) }
        }
    }

    @Test func anInnerDeadlineNeverExtendsTheOuterOne() async {
        await OutboundDeadline.run(seconds: 1) {
            let outer = OutboundDeadline.current
            await OutboundDeadline.run(seconds: 100) { #expect(OutboundDeadline.current == outer) }
            #expect((OutboundDeadline.remaining ?? 0) <= 1)
        }
        #expect(OutboundDeadline.current == nil)
    }
}
