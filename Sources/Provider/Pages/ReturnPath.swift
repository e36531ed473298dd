import Web

/// Where sign-in may send a visitor back to. `LocalRedirect` refuses percent signs, which every
/// authorization request's query has (`redirect_uri=https%3A…`), so an authorization request
/// is accepted by its own rule: exactly our `/oauth/authorize` path with a query of printable
/// ASCII, which cannot name another host.
enum ReturnPath {
    static let authorizePrefix = "/oauth/authorize?"

    /// `candidate` if it is safe to redirect to after sign-in, else nil.
    static func validated(_ candidate: String?) -> String? {
        guard let candidate else { return nil }
        if candidate.hasPrefix(authorizePrefix), candidate.utf8.count <= 8192,
           candidate.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }) {
            return candidate
        }
        return LocalRedirect.path(candidate)
    }

    /// `303 → /login?next=<this page>`; only GETs come back to where they were.
    static func signInRedirect(for request: Request) -> Response {
        Web.signInRedirect(for: request, returnPath: validated)
    }
}
