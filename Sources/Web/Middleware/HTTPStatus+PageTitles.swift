import Localization

extension HTTPStatus {
    /// The reason phrases people meet on error pages, as messages the catalogs translate
    /// (HTTP itself and JSON keep the English phrase).
    static let pageTitles: [Int: Message] = [
        400: Message("Bad Request"),
        401: Message("Unauthorized"),
        403: Message("Forbidden"),
        404: Message("Not Found"),
        405: Message("Method Not Allowed"),
        413: Message("Content Too Large"),
        415: Message("Unsupported Media Type"),
        429: Message("Too Many Requests"),
        500: Message("Internal Server Error"),
        502: Message("Bad Gateway"),
        503: Message("Service Unavailable"),
        504: Message("Gateway Timeout"),
    ]
}
