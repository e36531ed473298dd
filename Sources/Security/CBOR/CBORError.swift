/// Why bytes are not a CBOR item we accept. Every case names the byte offset where decoding
/// stopped, so a rejected authenticator response can be diagnosed from a log line.
public enum CBORError: Error, Sendable, Equatable {
    /// The input is longer than the decoder's limit (64 KiB unless told otherwise).
    case inputTooLong(length: Int)
    /// The input ends inside an item.
    case truncated(at: Int)
    /// A complete item is followed by more bytes.
    case trailingBytes(at: Int)
    /// A string, array or map declares more content than the rest of the input could hold.
    case lengthExceedsInput(at: Int)
    /// Arrays and maps nest deeper than the limit.
    case tooDeep(at: Int)
    /// More items in total than the limit.
    case tooManyItems(at: Int)
    /// An indefinite-length string, array or map, or a stray "break": WebAuthn data is definite.
    case indefiniteLength(at: Int)
    /// Additional information 28 to 30, which RFC 8949 reserves.
    case reservedAdditionalInfo(at: Int)
    /// An integer or length not in its shortest form (CTAP2 canonical encoding requires it).
    case nonMinimalEncoding(at: Int)
    /// A text string that is not valid UTF-8.
    case invalidUTF8(at: Int)
    /// A tag (major type 6); nothing WebAuthn carries uses one.
    case tagNotAllowed(at: Int)
    /// A float, `undefined`, or a simple value other than false, true and null.
    case unsupportedSimpleValue(at: Int)
    /// A map key that is neither text nor an integer within `Int64`.
    case unsupportedMapKey(at: Int)
    /// The same key twice in one map.
    case duplicateMapKey(at: Int)
}
