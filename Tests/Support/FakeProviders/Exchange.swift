import Foundation
import Security
import Web

/// One request as a fake's handler sees it: the request, its route parameters, and the fault
/// the fake was told to show for it, if any.
struct Exchange: Sendable {
    /// The request.
    let request: Request
    /// Parameters captured by the route (`:version`, `:client_id`).
    let route: Parameters
    /// The fault due for this request; generic faults were already applied before the handler.
    let fault: FakeFault?

    /// The query parameters (empty when malformed, as providers shrug off junk).
    var query: FormData { (try? request.query()) ?? FormData() }

    /// The parameters a provider reads from anywhere it accepts them: the query, a form body, and
    /// the top-level strings of a JSON body (GitHub takes all three), body values first.
    var fields: FormData {
        var merged = FormData()
        for pair in bodyForm { merged.append(pair.name, pair.value) }
        for pair in query { merged.append(pair.name, pair.value) }
        return merged
    }

    /// The form-encoded body's parameters only; empty for any other body.
    var bodyForm: FormData {
        switch request.mediaType {
        case "application/x-www-form-urlencoded":
            return FormData(urlEncoded: Substring(String(decoding: request.body, as: UTF8.self))) ?? FormData()
        case "application/json":
            guard let object = bodyJSON?.objectValue else { return FormData() }
            var form = FormData()
            for (name, value) in object.sorted(by: { $0.key < $1.key }) {
                if let text = value.stringValue { form.append(name, text) }
            }
            return form
        default:
            return FormData()
        }
    }

    /// The body as JSON, if it parses.
    var bodyJSON: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(request.body)) }

    /// The header field `name`.
    func header(_ name: String) -> String? { request.headers[name] }
}
