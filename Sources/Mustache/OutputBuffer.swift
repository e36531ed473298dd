/// The bytes of one render call: a plain growable allocation, so an append is a capacity check
/// and a copy. Owned by a single ``Renderer``, which must call ``free()`` exactly once.
struct OutputBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    /// The bytes written so far; valid until the next append or ``free()``.
    var bytes: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base, count: count)
    }

    mutating func append(_ start: UnsafePointer<UInt8>, count length: Int) {
        if count + length > capacity { grow(toHold: count + length) }
        (base + count).update(from: start, count: length)
        count += length
    }

    /// Appends `length` bytes from a source that stays readable for ``slack`` bytes past them
    /// (the template text arena), copying whole words: most pieces of text between tags are
    /// short, and for them a few word moves beat a call to `memmove`.
    @inline(__always)
    mutating func appendPadded(_ start: UnsafePointer<UInt8>, count length: Int) {
        guard length <= 32 else { return append(start, count: length) }
        if count + length + Self.slack > capacity { grow(toHold: count + length + Self.slack) }
        let source = UnsafeRawPointer(start)
        let target = UnsafeMutableRawPointer(base + count)
        var offset = 0
        while offset < length {
            target.storeBytes(of: source.loadUnaligned(fromByteOffset: offset, as: UInt64.self),
                              toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        count += length
    }

    /// How far ``appendPadded(_:count:)`` may read past its source and write past the count.
    static let slack = 8

    /// Makes room for `extra` more bytes, for writing through ``end`` and ``commit(upTo:)``.
    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(toHold: count + extra) }
    }

    /// Where the next byte goes.
    var end: UnsafeMutablePointer<UInt8> { base + count }

    /// Accepts bytes written directly up to `cursor` (within room made by ``reserve(_:)``).
    mutating func commit(upTo cursor: UnsafeMutablePointer<UInt8>) {
        count = cursor - base
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let start = bytes.baseAddress else { return }
        append(start, count: bytes.count)
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(toHold: count + 1) }
        base[count] = byte
        count += 1
    }

    mutating func append(_ string: String) {
        var string = string
        string.withUTF8 { append($0) }
    }

    /// The bytes as a `String`.
    ///
    /// `String(decoding:as:)` checks ASCII a word at a time but falls back to checking every
    /// byte of the whole buffer if it meets a single non-ASCII one, which for a typical page
    /// (mostly ASCII, a few `·` or accented names) costs more than the render itself. So the
    /// buffer is decoded in runs: ASCII runs take the fast check, only the short non-ASCII runs
    /// the slow one, and the pieces are joined without further checks.
    func makeString() -> String {
        let highBits: UInt64 = 0x8080_8080_8080_8080
        var result = ""
        var pieces = 0
        var pieceStart = 0
        var inASCII = true
        var index = 0
        while index < count {
            if inASCII && index + 8 <= count
                && UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & highBits == 0 {
                index += 8
                continue
            }
            let isASCII = base[index] < 0x80
            if isASCII != inASCII {
                // A run of non-ASCII bytes ends only at an ASCII byte, so never inside a character.
                if pieces == 0 { result.reserveCapacity(count) }
                pieces += 1
                guard pieces <= 32 else { return String(decoding: bytes, as: UTF8.self) }
                result.append(decoded(from: pieceStart, to: index))
                pieceStart = index
                inASCII = isASCII
            }
            index += 1
        }
        if pieces == 0 { return String(decoding: bytes, as: UTF8.self) }
        result.append(decoded(from: pieceStart, to: count))
        return result
    }

    private func decoded(from start: Int, to end: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
    }

    /// Releases the allocation; the buffer must not be used afterwards.
    func free() {
        base.deallocate()
    }

    private mutating func grow(toHold needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.initialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }
}
