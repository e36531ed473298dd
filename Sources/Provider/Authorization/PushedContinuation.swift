import IdentityWeb
import Security
import Web

/// The session's note that this browser redeemed a pushed request, naming the request it
/// resolved to (a hash of its parameters). The `request_uri` is used up at the first visit, but
/// the flow goes on: to the sign-in form and back, to the consent form and its POST, all carrying
/// the resolved parameters. For a client that requires pushed requests those plain requests are
/// accepted only when this note names them, so a hand-made request never gets through.
enum PushedContinuation {
    static let key = "par"

    static func record(_ authorization: AuthorizationRequest, in session: Session) {
        session[key] = digest(authorization)
    }

    static func covers(_ authorization: AuthorizationRequest, in session: Session) -> Bool {
        session[key] == digest(authorization)
    }

    /// The request was decided (allowed or denied): the note is used up.
    static func clear(_ session: Session) { session[key] = nil }

    /// Where sign-in comes back to for `authorization`: the resolved request as a plain URL.
    static func target(_ authorization: AuthorizationRequest) -> String {
        ReturnPath.authorizePrefix + FormData(authorization.formFields.map { ($0.name, $0.value) }).encoded
    }

    static func digest(_ authorization: AuthorizationRequest) -> String {
        Hex.encode(SHA256.hash(FormData(authorization.formFields.map { ($0.name, $0.value) }).encoded))
    }
}
