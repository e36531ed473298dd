// First parsing pass: split the source into text runs and tags, following set-delimiter tags.

/// A text run or tag found by the scanner, annotated later by the standalone pass.
struct RawToken {
    enum Kind: Equatable {
        case text
        case variable(escaped: Bool)
        case section
        case invertedSection
        case close
        case comment
        case partial
        case parent
        case block
        case setDelimiters
        /// Inserted by the standalone pass before a tag that begins a source line.
        case lineStart
    }

    var kind: Kind
    /// Text: first byte of the run. Tag: offset of its opening delimiter.
    var start: Int
    /// Text: offset after the run. Tag: offset after its closing delimiter.
    var end: Int
    /// The tag's name, trimmed; empty for text and comments.
    var name: String = ""
    /// 1-based line of `start`.
    var line: Int
    /// Offset of the first byte of that line.
    var lineOffset: Int

    // Set by the standalone pass.
    /// Text only: the run begins a source line.
    var startsLine = false
    /// Partials and parents: leading whitespace when the tag stands alone on its line.
    var indentation: [UInt8]?
    /// Blocks: whether the opening tag stands alone on its line.
    var standalone = false
    /// Blocks: see ``Block/indentation``.
    var blockIndentation: [UInt8] = []
    /// Close tags: whether this closes a parent (such tags do not count against standalone lines).
    var closesParent = false
}

/// Splits a template into ``RawToken``s; text runs never extend past a newline.
struct Scanner {
    private let source: [UInt8]
    private let templateName: String
    private var position = 0
    private var line = 1
    private var lineOffset = 0
    private var open: [UInt8] = Array("{{".utf8)
    private var close: [UInt8] = Array("}}".utf8)
    private var tokens: [RawToken] = []

    init(source: [UInt8], templateName: String) {
        self.source = source
        self.templateName = templateName
    }

    /// Scans the whole source.
    mutating func scan() throws(ParseError) -> [RawToken] {
        var textStart = 0
        while position < source.count {
            let byte = source[position]
            if byte == UInt8(ascii: "\n") {
                position += 1
                emitText(from: textStart, to: position)
                line += 1
                lineOffset = position
                textStart = position
            } else if byte == open[0] && matches(open, at: position) {
                emitText(from: textStart, to: position)
                try scanTag()
                textStart = position
            } else {
                position += 1
            }
        }
        emitText(from: textStart, to: source.count)
        return tokens
    }

    private mutating func emitText(from start: Int, to end: Int) {
        guard end > start else { return }
        tokens.append(RawToken(kind: .text, start: start, end: end, line: line, lineOffset: lineOffset))
    }

    private func matches(_ delimiter: [UInt8], at offset: Int) -> Bool {
        guard offset + delimiter.count <= source.count else { return false }
        for index in delimiter.indices where source[offset + index] != delimiter[index] {
            return false
        }
        return true
    }

    /// Finds `delimiter` from `offset` on, counting the newlines passed (multi-line comments).
    private mutating func find(_ delimiter: [UInt8], from offset: Int) -> Int? {
        var index = offset
        while index + delimiter.count <= source.count {
            if matches(delimiter, at: index) { return index }
            if source[index] == UInt8(ascii: "\n") {
                line += 1
                lineOffset = index + 1
            }
            index += 1
        }
        return nil
    }

    private mutating func scanTag() throws(ParseError) {
        let tagStart = position
        let tagLine = line
        let tagLineOffset = lineOffset
        let source = source
        let templateName = templateName
        let failure = { (reason: ParseError.Reason) -> ParseError in
            ParseError.at(tagStart, line: tagLine, lineOffset: tagLineOffset, in: source, template: templateName,
                          reason)
        }

        let contentStart = tagStart + open.count
        let triple = contentStart < source.count && source[contentStart] == UInt8(ascii: "{")
        let terminator = triple ? [UInt8(ascii: "}")] + close : close
        guard let contentEnd = find(terminator, from: triple ? contentStart + 1 : contentStart) else {
            throw failure(.unclosedTag)
        }
        position = contentEnd + terminator.count
        var token = RawToken(kind: .comment, start: tagStart, end: position, line: tagLine, lineOffset: tagLineOffset)

        var content = trimmed(source[(triple ? contentStart + 1 : contentStart)..<contentEnd])
        if triple {
            token.kind = .variable(escaped: false)
        } else {
            switch content.first {
            case UInt8(ascii: "!"): token.kind = .comment
            case UInt8(ascii: "="): token.kind = .setDelimiters
            case UInt8(ascii: "#"): token.kind = .section
            case UInt8(ascii: "^"): token.kind = .invertedSection
            case UInt8(ascii: "/"): token.kind = .close
            case UInt8(ascii: ">"): token.kind = .partial
            case UInt8(ascii: "<"): token.kind = .parent
            case UInt8(ascii: "$"): token.kind = .block
            case UInt8(ascii: "&"): token.kind = .variable(escaped: false)
            default: token.kind = .variable(escaped: true)
            }
            if token.kind != .variable(escaped: true) {
                content = trimmed(content.dropFirst())
            }
        }

        switch token.kind {
        case .comment:
            break
        case .setDelimiters:
            try setDelimiters(content, failure: failure)
        default:
            guard !content.isEmpty else { throw failure(.emptyTag) }
            let name = String(decoding: content, as: UTF8.self)
            guard !content.contains(where: isWhitespace) else { throw failure(.invalidName(name)) }
            token.name = name
        }
        tokens.append(token)
    }

    /// `content` is what follows the leading `=`, e.g. `<% %>=`.
    private mutating func setDelimiters(
        _ content: ArraySlice<UInt8>, failure: (ParseError.Reason) -> ParseError
    ) throws(ParseError) {
        let text = String(decoding: content, as: UTF8.self)
        guard content.last == UInt8(ascii: "=") else { throw failure(.invalidDelimiters(text)) }
        let parts = content.dropLast().split(whereSeparator: isWhitespace)
        guard parts.count == 2, !parts[0].contains(UInt8(ascii: "=")), !parts[1].contains(UInt8(ascii: "="))
        else { throw failure(.invalidDelimiters(text)) }
        open = Array(parts[0])
        close = Array(parts[1])
    }

    private func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, isWhitespace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isWhitespace(last) { slice = slice.dropLast() }
        return slice
    }
}

/// Space, tab, carriage return or newline.
func isWhitespace(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
}

extension ParseError {
    /// An error for the tag starting at byte `offset`, with the column counted in characters.
    static func at(
        _ offset: Int, line: Int, lineOffset: Int, in source: [UInt8], template: String, _ reason: Reason
    ) -> ParseError {
        let column = String(decoding: source[lineOffset..<offset], as: UTF8.self).count + 1
        return ParseError(template: template, line: line, column: column, reason: reason)
    }
}
