// The render loop: runs a template's instructions once, appending UTF-8 to a single buffer.

/// Mutable state of one render call; never escapes it.
struct Renderer {
    /// Partials, parents and substituted blocks nested deeper than this render nothing, so a
    /// template that includes itself without a data-driven end cannot exhaust the stack.
    static let maximumDepth = 100

    var output: OutputBuffer
    /// The context stack below the top frame; the top travels as a parameter of `run`, so the
    /// common lookup (a key of the innermost frame) borrows it instead of copying it.
    private var stack: [Frame] = []
    let library: TemplateLibrary?
    /// Blocks passed in by the parent tags being expanded; the outermost definition wins.
    var overrides: [String: Override] = [:]
    /// How many partials, parents and substituted blocks enclose the current instruction.
    var depth = 0
    /// Bytes of the next indentation already written by the enclosing line (see `renderBlock`).
    var writtenIndent = 0

    init(library: TemplateLibrary?, capacity: Int) {
        self.library = library
        output = OutputBuffer(capacity: capacity)
        stack.reserveCapacity(8)
    }

    /// Runs `program`'s instructions in `range` with `top` on top of the context stack.
    mutating func run(_ program: Program, _ range: Range<Int>, _ top: Frame, _ transform: LineTransform?) {
        let ops = program.ops
        var index = range.lowerBound
        while index < range.upperBound {
            switch ops[index] {
            case .text(let text):
                if let transform {
                    writeText(program, text, transform)
                } else {
                    output.appendPadded(program.text.baseAddress! + Int(text.start), count: Int(text.count))
                }
                index += 1
            case .lineStart:
                if let transform { writeIndent(transform.indent) }
                index += 1
            case .variable(let name, let escaped):
                if let value = lookup(name, in: program, top) { interpolate(value, escaped: escaped) }
                index += 1
            case .section(let name, let end):
                renderSection(lookup(name, in: program, top), program, index + 1..<Int(end), top, transform)
                index = Int(end)
            case .invertedSection(let name, let end):
                if !(lookup(name, in: program, top)?.isTruthy ?? false) {
                    run(program, index + 1..<Int(end), top, transform)
                }
                index = Int(end)
            case .partial(let partial):
                renderPartial(program.partials[Int(partial)], top, transform)
                index += 1
            case .parent(let parent, let end):
                renderParent(program, program.parents[Int(parent)], top, transform)
                index = Int(end)
            case .block(let block, let end):
                renderBlock(program, Int(block), top, transform)
                index = Int(end)
            }
        }
    }

    // MARK: Lookup

    /// Resolves a name against the context stack (rules on ``MustacheValue``).
    private func lookup(_ name: NameRef, in program: Program, _ top: Frame) -> MustacheValue? {
        guard name.count > 0 else { return top.value }
        let keys = program.keys
        let start = Int(name.start)
        // The common case, a plain name found in the innermost frame, returns straight away.
        if let value = top.find(keys[start]) ?? findBelowTop(keys[start]) {
            return name.count == 1 ? value : descend(from: value, through: keys[start + 1..<start + Int(name.count)])
        }
        return nil
    }

    /// Walks the rest of the context stack for the first part of a name.
    private func findBelowTop(_ key: String) -> MustacheValue? {
        var frame = stack.count - 1
        while frame >= 0 {
            if let value = stack[frame].find(key) { return value }
            frame -= 1
        }
        return nil
    }

    /// Resolves the remaining parts of a dotted name, each in the value found so far.
    private func descend(
        from first: MustacheValue, through keys: Slice<UnsafeMutableBufferPointer<String>>
    ) -> MustacheValue? {
        var value = first
        for key in keys {
            guard case .object(let lookup) = value, let next = lookup(key) else { return nil }
            value = next
        }
        return value
    }

    // MARK: Sections

    private mutating func renderSection(
        _ value: MustacheValue?, _ program: Program, _ body: Range<Int>, _ top: Frame,
        _ transform: LineTransform?
    ) {
        guard let value else { return }
        switch value {
        case .list(let items):
            guard !items.isEmpty else { return }
            stack.append(top)
            for item in items {
                run(program, body, Frame(item), transform)
            }
            stack.removeLast()
        case .objectList(let count, let lookup):
            guard count > 0 else { return }
            stack.append(top)
            for index in 0..<count {
                run(program, body, Frame(element: index, of: lookup), transform)
            }
            stack.removeLast()
        default:
            guard value.isTruthy else { return }
            stack.append(top)
            run(program, body, Frame(value), transform)
            stack.removeLast()
        }
    }
}
