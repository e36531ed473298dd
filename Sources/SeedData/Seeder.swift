import Foundation
import Storage

/// Fills a SQLite database with `count` users, each with one linked account and a token row, in
/// one transaction of three set-based INSERTs (a recursive CTE generates the rows inside SQLite,
/// so a million of each takes seconds, not a million round trips). Names are zero-padded, so
/// every index is appended to in key order.
///
/// The data: users `seed0000001`… with `seed0000001@example.com`; accounts cycle through GitHub
/// (numeric uid, login `gh-seed…`, non-expiring token), Facebook, LinkedIn and OpenID Connect
/// (tokens expiring between 10 days ago and 80 days ahead); one in 97 tokens needs reconnection.
/// Token ciphertexts are placeholders: seeded accounts sign in (their token is replaced) but a
/// seeded token itself never opens.
enum Seeder {
    /// Why seeding refused to start.
    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    /// Seeds `count` users after the existing ones; returns the first and last new user id.
    static func seed(_ count: Int, into database: any Database, now: Int) async throws -> (first: Int64, last: Int64) {
        guard database.dialect == .sqlite else { throw Refusal(description: "seed-data fills SQLite databases only") }
        return try await database.write { db in
            // A bigger page cache while the indexes grow (set back below, as the connection is pooled).
            _ = try db.execute("PRAGMA cache_size = -262144", [])
            defer { _ = try? db.execute("PRAGMA cache_size = -2000", []) }
            let base = try db.queryOne("SELECT COALESCE(MAX(id), 0) AS m FROM users")?.int64("m") ?? 0
            let cte = "WITH RECURSIVE seq(n) AS (SELECT ? + 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?) "
            let last = base + Int64(count)
            _ = try db.execute(cte + """
                INSERT INTO users (id, username, username_key, email, email_key, email_verified, password_hash, is_admin, is_disabled,
                                   created_at, updated_at)
                SELECT n, printf('seed%07d', n), printf('seed%07d', n), printf('seed%07d@example.com', n), printf('seed%07d@example.com', n),
                       n % 2, NULL, 0, 0, ? - n, ? - n
                FROM seq
                """, base, last, now, now)
            _ = try db.execute(cte + """
                INSERT INTO social_accounts (user_id, provider, provider_uid, login, name, email, email_verified, created_at, last_login_at)
                SELECT n,
                       CASE n % 4 WHEN 0 THEN 'github' WHEN 1 THEN 'facebook' WHEN 2 THEN 'linkedin' ELSE 'oidc' END,
                       CASE n % 4 WHEN 0 THEN CAST(10000000 + n AS TEXT) WHEN 1 THEN CAST(100000000000000 + n AS TEXT)
                                  ELSE printf('sub-%07d', n) END,
                       CASE n % 4 WHEN 0 THEN printf('gh-seed%07d', n) WHEN 3 THEN printf('oidc-seed%07d', n) ELSE NULL END,
                       printf('Seed Person %d', n), printf('seed%07d@example.com', n), n % 2, ? - n, ? - n
                FROM seq
                """, base, last, now, now)
            _ = try db.execute("""
                INSERT INTO social_tokens (social_account_id, access_token_enc, token_type, scopes, expires_at, status, updated_at)
                SELECT id, 'seeded', 'bearer', '',
                       CASE provider WHEN 'github' THEN NULL ELSE ? + ((user_id % 90) - 10) * 86400 END,
                       CASE WHEN user_id % 97 = 0 THEN 'reconnect' ELSE 'active' END, ?
                FROM social_accounts WHERE user_id > ?
                """, now, now, base)
            return (base + 1, last)
        }
    }

    /// A seeded user's username.
    static func username(_ n: Int64) -> String { "seed" + padded(n) }

    /// `n` as seven digits.
    static func padded(_ n: Int64) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, 7 - digits.count)) + digits
    }
}
