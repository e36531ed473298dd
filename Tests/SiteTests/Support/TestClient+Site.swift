import Foundation
import Site
import Web
import WebTesting

extension TestClient {
    /// The session cookie's value in the jar, if any.
    var sessionID: String? { cookies[SiteApplication.sessionCookie] }

    /// POSTs `fields` plus a CSRF token taken from the form page at `tokenFrom`.
    @discardableResult
    func submit(_ path: String, _ fields: [(String, String)], tokenFrom page: String, headers: HTTPHeaders = HTTPHeaders()) async -> TestResponse {
        let token = await csrfToken(from: page)
        return await post(path, form: [("csrf_token", token)] + fields, headers: headers)
    }

    /// Changes the password through the account page's form.
    @discardableResult
    func changePassword(current: String, new: String, confirmation: String? = nil) async -> TestResponse {
        await submit("/account/password", [("current_password", current), ("new_password", new),
                                           ("new_password_confirmation", confirmation ?? new)], tokenFrom: "/account")
    }
}

extension TestResponse {
    /// The `Set-Cookie` header that sets `name`, if the response has one.
    func setCookie(_ name: String = SiteApplication.sessionCookie) -> String? {
        headers.values(for: "Set-Cookie").first { $0.hasPrefix(name + "=") }
    }

    /// The `;`-separated attributes of a `Set-Cookie` header, trimmed.
    static func cookieAttributes(_ header: String) -> [String] {
        header.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Whether the body is HTML.
    var isHTML: Bool { headers["Content-Type"]?.hasPrefix("text/html") ?? false }

    /// The text of the page's alert box (`role="alert"`), if any.
    var alert: String? {
        guard let start = text.range(of: "role=\"alert\""), let close = text[start.upperBound...].firstIndex(of: ">") else { return nil }
        let rest = text[text.index(after: close)...]
        guard let end = rest.range(of: "</") else { return nil }
        return String(rest[..<end.lowerBound])
    }

    /// The flash messages shown on the page (`role="status"`).
    var flashes: [String] {
        text.components(separatedBy: "role=\"status\">").dropFirst().compactMap { piece in
            piece.range(of: "</div>").map { String(piece[..<$0.lowerBound]) }
        }
    }
}
