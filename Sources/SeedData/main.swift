import Foundation
import Storage

// SeedData: fills a SQLite database with N users and linked accounts (`seed N`), or seeds a
// temporary database and times the queries that must stay fast at that size (`scale-check`).
// Used by scripts/seed-data and scripts/scale-check; not part of the product.

let usage = """
usage: SeedData seed N [--database URL] [--migrations DIR]
       SeedData scale-check [N] [--runs R] [--migrations DIR]

seed         applies the site's migrations, then adds N users, N linked accounts and N token rows
             (DATABASE_URL, or sqlite:db/site.sqlite3 by default)
scale-check  seeds N (default 1000000) into a temporary database and prints, for each query, the
             median and p95 over R runs (default 200)
"""

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("SeedData: \(message)\n".utf8))
    exit(1)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { fail(usage) }
arguments.removeFirst()
var options: [String: String] = [:]
var positional: [String] = []
while let argument = arguments.first {
    arguments.removeFirst()
    if argument.hasPrefix("--") {
        guard let value = arguments.first else { fail("option \(argument) needs a value") }
        arguments.removeFirst()
        options[argument] = value
    } else {
        positional.append(argument)
    }
}
let environment = ProcessInfo.processInfo.environment
let migrations = (options["--migrations"] ?? environment["MIGRATIONS_DIR"] ?? "db/migrations") + "/site"

func open(_ url: String) async throws -> any Database {
    let database = try openDatabase(url: url)
    _ = try await Migrator(directory: migrations).migrate(database)
    return database
}

func seconds(since start: ContinuousClock.Instant) -> String {
    let elapsed = ContinuousClock.now - start
    return String(format: "%.1f s", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

do {
    switch command {
    case "seed":
        guard let text = positional.first, let count = Int(text), count > 0 else { fail(usage) }
        let url = options["--database"] ?? environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "sqlite:db/site.sqlite3"
        let database = try await open(url)
        let start = ContinuousClock.now
        let (first, last) = try await Seeder.seed(count, into: database, now: Int(Date().timeIntervalSince1970))
        print("seeded users \(first)...\(last) with one linked account and token each into \(url) in \(seconds(since: start))")
        database.close()
    case "scale-check":
        let count = positional.first.flatMap { Int($0) } ?? 1_000_000
        let runs = options["--runs"].flatMap { Int($0) } ?? 200
        let directory = NSTemporaryDirectory() + "latchkey-scale-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try await open("sqlite:\(directory)/scale.sqlite3")
        let start = ContinuousClock.now
        let (first, last) = try await Seeder.seed(count, into: database, now: Int(Date().timeIntervalSince1970))
        print("seeded \(count) users + \(count) linked accounts + \(count) tokens in \(seconds(since: start)) (SQLite, temporary file)")
        print("timings over \(runs) runs each (in-process, through the worker pool, no HTTP):")
        _ = try await ScaleCheck.run(database: database, first: first, last: last, runs: runs)
        database.close()
    default:
        fail(usage)
    }
} catch {
    fail("\(error)")
}
