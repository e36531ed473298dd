// Second and third parsing passes: standalone lines, then the instruction list.
//
// Standalone lines. A line (text runs end at newlines; newlines inside tags do not split lines)
// is standalone when it holds no non-whitespace text, no interpolation, at least one tag, and at
// most one tag other than a parent's opening or closing tag. Parent tags are exempt because a
// parent is expanded like a partial and the text inside it is ignored, so `{{<page}}{{$body}}`,
// `{{/body}}{{/page}}` and `  {{<page}}{{/page}}` all behave as lone tags. A standalone line
// loses its whitespace and newline; a partial or parent on it takes the leading whitespace as its
// indentation. Every other line is marked where it begins, so the renderer can indent it.

/// Turns a template's source into a ``Program``.
struct Parser {
    private let source: [UInt8]
    private let templateName: String
    private let errorName: String
    private var tokens: [RawToken] = []
    private var cursor = 0

    init(source: [UInt8], templateName: String, errorName: String) {
        self.source = source
        self.templateName = templateName
        self.errorName = errorName
    }

    /// Parses the whole template.
    mutating func parse() throws(ParseError) -> Program {
        var scanner = Scanner(source: source, templateName: errorName)
        tokens = markStandaloneLines(markParentCloses(try scanner.scan()))
        _ = try emit(openedBy: nil)
        return Program(ops: ops, text: text, lineStarts: lineStarts, keys: keys,
                       partials: partials, parents: parents, blocks: blocks)
    }

    // MARK: Standalone lines

    private func markParentCloses(_ scanned: [RawToken]) -> [RawToken] {
        var tokens = scanned
        var open: [RawToken.Kind] = []
        for index in tokens.indices {
            switch tokens[index].kind {
            case .section, .invertedSection, .parent, .block:
                open.append(tokens[index].kind)
            case .close:
                tokens[index].closesParent = open.popLast() == .parent
            default:
                break
            }
        }
        return tokens
    }

    private func markStandaloneLines(_ scanned: [RawToken]) -> [RawToken] {
        var result: [RawToken] = []
        result.reserveCapacity(scanned.count + scanned.count / 4)
        var lineStart = 0
        while lineStart < scanned.count {
            var lineEnd = lineStart
            while lineEnd < scanned.count - 1 && !endsLine(scanned[lineEnd]) { lineEnd += 1 }
            let line = scanned[lineStart...lineEnd]
            if isStandalone(line) {
                appendStandalone(line, to: &result)
            } else {
                appendOrdinary(line, to: &result)
            }
            lineStart = lineEnd + 1
        }
        return result
    }

    private func endsLine(_ token: RawToken) -> Bool {
        token.kind == .text && source[token.end - 1] == UInt8(ascii: "\n")
    }

    private func isStandalone(_ line: ArraySlice<RawToken>) -> Bool {
        var tags = 0
        var counted = 0
        for token in line {
            switch token.kind {
            case .text:
                if source[token.start..<token.end].contains(where: { !isWhitespace($0) }) { return false }
            case .variable:
                return false
            case .parent:
                tags += 1
            case .close where token.closesParent:
                tags += 1
            default:
                tags += 1
                counted += 1
            }
        }
        return tags > 0 && counted <= 1
    }

    private func appendStandalone(_ line: ArraySlice<RawToken>, to result: inout [RawToken]) {
        var leading: [UInt8] = []
        if let firstTag = line.firstIndex(where: { $0.kind != .text }) {
            for token in line[..<firstTag] { leading += source[token.start..<token.end] }
        }
        let last = line[line.endIndex - 1]
        let nextLine = endsLine(last) ? last.end : source.count
        for var token in line where token.kind != .text {
            switch token.kind {
            case .partial, .parent:
                token.indentation = leading
            case .block:
                token.standalone = true
                token.blockIndentation = leadingWhitespace(from: nextLine)
            default:
                break
            }
            result.append(token)
        }
    }

    private func appendOrdinary(_ line: ArraySlice<RawToken>, to result: inout [RawToken]) {
        for (position, var token) in zip(line.indices, line) {
            if position == line.startIndex {
                if token.kind == .text {
                    token.startsLine = true
                } else {
                    result.append(RawToken(kind: .lineStart, start: token.start, end: token.start,
                                           line: token.line, lineOffset: token.lineOffset))
                }
            }
            if token.kind == .block {
                token.blockIndentation = leadingWhitespace(from: token.lineOffset)
            }
            result.append(token)
        }
    }

    private func leadingWhitespace(from offset: Int) -> [UInt8] {
        var end = offset
        while end < source.count && (source[end] == UInt8(ascii: " ") || source[end] == UInt8(ascii: "\t")) {
            end += 1
        }
        return Array(source[offset..<end])
    }

    // MARK: Program

    private var ops: [Op] = []
    private var text: [UInt8] = []
    private var lineStarts: [UInt32] = []
    private var keys: [String] = []
    private var keyIndex: [String: NameRef] = [:]
    private var partials: [PartialCall] = []
    private var parents: [ParentCall] = []
    private var blocks: [BlockInfo] = []
    /// The text run being collected: its first byte in `text` and first entry in `lineStarts`.
    private var pendingText: (start: Int, lineStarts: Int)?

    /// Emits the instructions for tokens up to the close of `opener` (or the end), returning the
    /// blocks written directly at this level.
    private mutating func emit(openedBy opener: RawToken?) throws(ParseError) -> [String: Int] {
        var directBlocks: [String: Int] = [:]
        while cursor < tokens.count {
            let token = tokens[cursor]
            cursor += 1
            switch token.kind {
            case .text:
                if pendingText == nil { pendingText = (text.count, lineStarts.count) }
                if token.startsLine, let run = pendingText { lineStarts.append(UInt32(text.count - run.start)) }
                text += source[token.start..<token.end]
            case .comment, .setDelimiters:
                break
            case .lineStart:
                flushText()
                ops.append(.lineStart)
            case .variable(let escaped):
                flushText()
                ops.append(.variable(name(token.name), escaped: escaped))
            case .section, .invertedSection:
                flushText()
                let path = name(token.name)
                let index = ops.count
                ops.append(.lineStart)
                _ = try emit(openedBy: token)
                let end = UInt32(ops.count)
                ops[index] = token.kind == .section ? .section(path, end: end) : .invertedSection(path, end: end)
            case .partial:
                flushText()
                ops.append(.partial(UInt32(partials.count)))
                partials.append(PartialCall(name: partialName(token.name), indentation: token.indentation))
            case .block:
                flushText()
                let index = ops.count
                ops.append(.lineStart)
                _ = try emit(openedBy: token)
                directBlocks[token.name] = blocks.count
                ops[index] = .block(UInt32(blocks.count), end: UInt32(ops.count))
                blocks.append(BlockInfo(name: token.name, body: index + 1..<ops.count,
                                        standalone: token.standalone, indentation: token.blockIndentation))
            case .parent:
                flushText()
                let index = ops.count
                ops.append(.lineStart)
                // Only the blocks directly inside a parent tag matter; other content there is ignored.
                let passed = try emit(openedBy: token)
                ops[index] = .parent(UInt32(parents.count), end: UInt32(ops.count))
                parents.append(ParentCall(name: partialName(token.name), indentation: token.indentation,
                                          blocks: passed))
            case .close:
                guard let opener else { throw error(at: token, .unexpectedClose(token.name)) }
                guard opener.name == token.name else {
                    throw error(at: token, .mismatchedClose(expected: opener.name, found: token.name))
                }
                flushText()
                return directBlocks
            }
        }
        if let opener {
            switch opener.kind {
            case .parent: throw error(at: opener, .unclosedParent(opener.name))
            case .block: throw error(at: opener, .unclosedBlock(opener.name))
            default: throw error(at: opener, .unclosedSection(opener.name))
            }
        }
        flushText()
        return directBlocks
    }

    private mutating func flushText() {
        guard let run = pendingText else { return }
        pendingText = nil
        guard text.count > run.start else { return }
        ops.append(.text(TextRef(start: UInt32(run.start), count: UInt32(text.count - run.start),
                                 lineStarts: UInt32(run.lineStarts),
                                 lineStartCount: UInt32(lineStarts.count - run.lineStarts))))
    }

    /// Interns a dotted name's keys, so repeated names share one run of `keys`.
    private mutating func name(_ name: String) -> NameRef {
        if let known = keyIndex[name] { return known }
        let parts = name == "." ? [] : name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let reference = NameRef(start: UInt32(keys.count), count: UInt32(parts.count))
        keys += parts
        keyIndex[name] = reference
        return reference
    }

    private func partialName(_ name: String) -> PartialName {
        PartialName(name, includedFrom: templateName)
    }

    private func error(at token: RawToken, _ reason: ParseError.Reason) -> ParseError {
        ParseError.at(token.start, line: token.line, lineOffset: token.lineOffset, in: source,
                      template: errorName, reason)
    }
}
