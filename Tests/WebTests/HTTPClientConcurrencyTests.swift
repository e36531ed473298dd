import Testing
import Web

@Suite struct HTTPClientConcurrencyTests {
    @Test func fiftyConcurrentRequestsAllSucceed() async throws {
        let server = try CannedServer { .echo($0) }
        defer { server.stop() }
        let client: any HTTPClient = CurlHTTPClient()
        let paths = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<50 {
                group.addTask {
                    let response = try await client.send(.get(server.baseURL + "/item/\(index)"))
                    #expect(response.status == 200)
                    return (index, try response.json(EchoedRequest.self).path)
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(paths.count == 50)
        #expect(paths.allSatisfy { $0.value == "/item/\($0.key)" })
        #expect(server.requestCount == 50)
    }
}
