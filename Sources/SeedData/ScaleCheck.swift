import Accounts
import Foundation
import Identity
import Security
import Storage
import Web

/// Times, inside the process (no HTTP), the queries that must stay fast with a million users:
/// the sign-in lookup, the callback's upsert, the admin users page and the admin search. Each
/// runs `runs` times on random seeded rows; the median and 95th percentile are printed.
enum ScaleCheck {
    /// One measured operation.
    struct Figure {
        let name: String
        let median: Double
        let p95: Double
    }

    static func run(database: any Database, first: Int64, last: Int64, runs: Int) async throws -> [Figure] {
        var generator = SystemRandomNumberGenerator()
        func randomUser() -> Int64 { Int64.random(in: first...last, using: &generator) }
        func randomGitHubUser() -> Int64 {
            // Seeded GitHub accounts are the users whose number is a multiple of 4.
            let n = randomUser()
            return max(first + (4 - first % 4) % 4, n - n % 4)
        }
        let registry = ProviderRegistry(environment: ["GITHUB_CLIENT_ID": "scale-check", "GITHUB_CLIENT_SECRET": "scale-check"],
                                        http: CurlHTTPClient())
        let social = SocialAuthService(database: database, registry: registry, keys: KeyRing(secret: SecureRandom.token(byteCount: 32)))
        let github = try await social.definition(of: "github")

        var figures: [Figure] = []
        figures.append(try await measure("sign-in lookup (UserRepository.find by username)", runs: runs) {
            let name = Seeder.username(randomUser())
            let found = try await database.read { db in try UserRepository.find(username: name, in: db) }
            precondition(found != nil, "seeded user \(name) not found")
        })
        figures.append(try await measure("callback upsert (SocialAuthService.link, existing GitHub account)", runs: runs) {
            let n = randomGitHubUser()
            let profile = NormalizedProfile(uid: String(10_000_000 + n), login: "gh-seed" + Seeder.padded(n), name: "Seed Person \(n)",
                                            email: Seeder.username(n) + "@example.com", emailVerified: true, avatarURL: nil,
                                            raw: .object(["id": .int(Int(10_000_000 + n))]))
            let outcome = try await social.link(profile, tokens: TokenSet(accessToken: "gho_" + SecureRandom.token(byteCount: 27)),
                                                provider: github, intent: .signIn, returnTo: nil, ip: "127.0.0.1")
            guard case .signedIn(_, false, _) = outcome else { preconditionFailure("upsert created a user") }
        })
        figures.append(try await measure("admin users page (keyset, 50 rows after a random id)", runs: runs) {
            let after = randomUser()
            let page = try await database.read { db in try UserDirectory.page(after: after, in: db) }
            precondition(page.users.count == min(50, Int(last - after)))
        })
        figures.append(try await measure("admin search, username prefix (~10 matches)", runs: runs) {
            let name = Seeder.username(randomUser())
            let page = try await database.read { db in try UserDirectory.search(String(name.dropLast()), after: nil, in: db) }
            precondition(!page.users.isEmpty)
        })
        figures.append(try await measure("admin search, exact email", runs: runs) {
            let email = Seeder.username(randomUser()) + "@example.com"
            let page = try await database.read { db in try UserDirectory.search(email, after: nil, in: db) }
            precondition(page.users.count == 1)
        })
        figures.append(try await measure("admin search, provider uid / login (GitHub)", runs: runs) {
            let n = randomGitHubUser()
            let page = try await database.read { db in try UserDirectory.search(String(10_000_000 + n), after: nil, in: db) }
            precondition(page.users.contains { $0.id == n })
        })
        figures.append(try await measure("admin search, broad prefix \"seed00\" (first page of ~100,000 matches)", runs: max(1, runs / 10)) {
            let page = try await database.read { db in try UserDirectory.search("seed00", after: nil, in: db) }
            precondition(page.users.count == 50)
        })
        figures.append(try await measure("admin dashboard figures (counts over all rows)", runs: max(1, runs / 10)) {
            let now = Clock.now
            _ = try await database.read { db in try AdminStatistics.read(now: now, in: db) }
        })
        return figures
    }

    /// Runs `body` `runs` times after a few warm-up runs; returns its median and p95 in ms.
    static func measure(_ name: String, runs: Int, _ body: () async throws -> Void) async throws -> Figure {
        for _ in 0..<min(5, runs) { try await body() }
        var samples: [Double] = []
        samples.reserveCapacity(runs)
        let clock = ContinuousClock()
        for _ in 0..<runs {
            let elapsed = try await clock.measure { try await body() }
            samples.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        samples.sort()
        let figure = Figure(name: name, median: samples[samples.count / 2], p95: samples[min(samples.count - 1, samples.count * 95 / 100)])
        print(String(format: "  %8.3f ms median  %8.3f ms p95   %@", figure.median, figure.p95, figure.name))
        return figure
    }
}
