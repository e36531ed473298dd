import Accounts
import Mustache

/// The providers' marks for their buttons, as inline SVG (no request to another origin, and
/// the CSP needs no exception). Decorative: the button's words name the provider, so each mark
/// is `aria-hidden` and drawn in `currentColor`, whose contrast the stylesheet checks.
enum BrandMarks {
    private static func svg(_ body: String) -> String {
        "<svg class=\"mark\" viewBox=\"0 0 24 24\" width=\"20\" height=\"20\" aria-hidden=\"true\" focusable=\"false\">\(body)</svg>"
    }

    /// The mark for provider `id`; a generic key for providers without one of their own.
    static func mark(_ id: String) -> String {
        switch id {
        case "github":
            svg("<path fill=\"currentColor\" d=\"M12 2a10 10 0 0 0-3.16 19.49c.5.09.68-.22.68-.48v-1.7c-2.78.6-3.37-1.34-3.37-1.34-.45-1.16-1.11-1.47-1.11-1.47"
                + "-.91-.62.07-.6.07-.6 1 .07 1.53 1.03 1.53 1.03.9 1.52 2.34 1.08 2.91.83.09-.65.35-1.09.63-1.34-2.22-.25-4.55-1.11-4.55-4.94"
                + " 0-1.09.39-1.98 1.03-2.68-.1-.25-.45-1.27.1-2.65 0 0 .84-.27 2.75 1.02a9.56 9.56 0 0 1 5 0c1.91-1.29 2.75-1.02 2.75-1.02"
                + ".55 1.38.2 2.4.1 2.65.64.7 1.03 1.59 1.03 2.68 0 3.84-2.34 4.68-4.57 4.93.36.31.68.92.68 1.85v2.74c0 .27.18.58.69.48"
                + "A10 10 0 0 0 12 2z\"/>")
        case "facebook":
            svg("<circle cx=\"12\" cy=\"12\" r=\"10\" fill=\"currentColor\"/><path fill=\"#0866ff\" d=\"M13.4 22v-7.3h2.45l.37-2.85h-2.82"
                + "V10.1c0-.82.23-1.38 1.41-1.38h1.5V6.17a20 20 0 0 0-2.2-.11c-2.17 0-3.66 1.33-3.66 3.77v2.02H8v2.85h2.45V22z\"/>")
        case "linkedin":
            svg("<rect x=\"2\" y=\"2\" width=\"20\" height=\"20\" rx=\"3\" fill=\"currentColor\"/><g fill=\"#0a66c2\">"
                + "<circle cx=\"7.2\" cy=\"7.3\" r=\"1.7\"/><rect x=\"5.7\" y=\"10\" width=\"3\" height=\"8.6\"/>"
                + "<path d=\"M10.6 10h2.9v1.2c.42-.78 1.44-1.4 2.9-1.4 3.05 0 3.6 2 3.6 4.6v4.2h-3v-3.7c0-.9-.02-2.1-1.28-2.1-1.28 0-1.48 1-1.48 2v3.8h-3z\"/></g>")
        default:
            svg("<g fill=\"none\" stroke=\"currentColor\" stroke-width=\"2.2\" stroke-linecap=\"round\"><circle cx=\"7.5\" cy=\"15.5\" r=\"4.5\"/>"
                + "<path d=\"M10.7 12.3 20 3m-3 3 2.5 2.5m-5 .5 2 2\"/></g>")
        }
    }

    /// A provider as its buttons need it: id, name and mark.
    static func button(_ entry: ProviderRegistry.Entry) -> MustacheValue {
        ["id": .string(entry.id), "name": .string(entry.displayName), "mark": .string(mark(entry.id))]
    }
}
