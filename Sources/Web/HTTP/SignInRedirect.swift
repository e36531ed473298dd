/// Sends an anonymous visitor to an app's sign-in page: `303 → <loginPath>?next=<this page>`.
/// Only GETs come back to where they were, and only to a path `returnPath` accepts (by default
/// a local path, see `LocalRedirect`).
public func signInRedirect(for request: Request, loginPath: String = "/login",
                           returnPath: (String) -> String? = { LocalRedirect.path($0) }) -> Response {
    var target = loginPath
    if request.method == .get, let here = returnPath(request.head.target) {
        target += "?next=" + FormData.encode(here)
    }
    return Response(status: .seeOther, headers: ["Location": target])
}
