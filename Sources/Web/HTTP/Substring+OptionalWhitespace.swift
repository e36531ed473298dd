extension Substring {
    /// Without the spaces and horizontal tabs at either end: HTTP's optional whitespace (OWS,
    /// RFC 9110 §5.6.3). Bytes only, where Foundation's `trimmingCharacters(in:)` would copy through
    /// `NSString` on every request that asks.
    public var trimmingOptionalWhitespace: Substring {
        var bytes = utf8
        while let first = bytes.first, first == HTTPSyntax.space || first == HTTPSyntax.htab { bytes = bytes.dropFirst() }
        while let last = bytes.last, last == HTTPSyntax.space || last == HTTPSyntax.htab { bytes = bytes.dropLast() }
        return Substring(bytes)
    }
}
