/// Size and count limits the request parser enforces; each breach maps to its own status code.
public struct HTTPLimits: Sendable {
    /// Most bytes in the request line plus header section, CRLFs included (chunked trailers count
    /// against the same budget); more → 431.
    public var maxHeaderBytes: Int
    /// Most bytes in the request target as sent; more → 414.
    public var maxURIBytes: Int
    /// Most bytes in a (de-chunked) body; more → 413.
    public var maxBodyBytes: Int
    /// Most header fields (plus trailer fields) in one request; more → 431.
    public var maxHeaderCount: Int

    /// Limits with the server defaults unless overridden.
    public init(maxHeaderBytes: Int = 16 * 1024, maxURIBytes: Int = 8 * 1024,
                maxBodyBytes: Int = 1 << 20, maxHeaderCount: Int = 100) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxURIBytes = maxURIBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderCount = maxHeaderCount
    }
}
