import Identity
import Storage

/// The site's own expired rows, swept by the identity core's `Housekeeping` beside sessions and
/// sign-in failures.
public enum SiteChores {
    /// Unused OAuth states an hour past expiry (abandoned sign-ins), and API tokens a day past
    /// expiry or revocation (kept that long so a late request still reads "revoked", not "unknown").
    public static let all: [Housekeeping.Chore] = [
        Housekeeping.Chore("oauth_states") { now, db in try db.execute("DELETE FROM oauth_states WHERE expires_at < ?", now - 3600) },
        Housekeeping.Chore("pending_social_signups") { now, db in
            try db.execute("DELETE FROM pending_social_signups WHERE expires_at < ?", now)
        },
        Housekeeping.Chore("api_tokens") { now, db in
            try db.execute("DELETE FROM api_tokens WHERE expires_at < ? OR revoked_at < ?", now - 86_400, now - 86_400)
        },
    ]
}
