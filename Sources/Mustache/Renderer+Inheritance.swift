// Partials, parents and blocks, and the indentation they carry.

/// Indentation applied to the source lines of a partial, parent or substituted block.
///
/// At each source line start the renderer drops up to `dedent` leading spaces or tabs (the
/// indentation a block had where it was written) and writes `indent` (where it is expanded).
/// Interpolated data is never indented: only lines of template source are.
struct LineTransform {
    var dedent: Int
    var indent: [UInt8]

    /// The transform for a standalone partial or parent whose tag was indented by `indentation`.
    static func nested(in outer: LineTransform?, indentation: [UInt8]?) -> LineTransform? {
        guard let indentation else { return nil }
        let indent = (outer?.indent ?? []) + indentation.dropFirst(outer?.dedent ?? 0)
        return indent.isEmpty ? nil : LineTransform(dedent: 0, indent: indent)
    }
}

/// A block passed into a parent: which program defines it and where.
struct Override {
    let program: Program
    let block: Int
}

extension Renderer {
    mutating func renderPartial(_ call: PartialCall, _ top: Frame, _ transform: LineTransform?) {
        guard depth < Self.maximumDepth, let template = library?.template(for: call.name) else { return }
        depth += 1
        run(template.program, 0..<template.program.ops.count, top,
            LineTransform.nested(in: transform, indentation: call.indentation))
        depth -= 1
    }

    mutating func renderParent(
        _ program: Program, _ call: ParentCall, _ top: Frame, _ transform: LineTransform?
    ) {
        guard depth < Self.maximumDepth, let template = library?.template(for: call.name) else { return }
        depth += 1
        let outer = overrides
        if !call.blocks.isEmpty {
            var merged = outer
            for (name, block) in call.blocks where merged[name] == nil {
                merged[name] = Override(program: program, block: block)
            }
            overrides = merged
        }
        run(template.program, 0..<template.program.ops.count, top,
            LineTransform.nested(in: transform, indentation: call.indentation))
        overrides = outer
        depth -= 1
    }

    /// Renders a block's replacement, re-indented from where it was written to where it lands.
    ///
    /// The replacement loses its own indentation (``BlockInfo/indentation``) and takes the
    /// block's, plus whatever indentation the block's line already had. When the block's tag
    /// shares its line with other content, that line's leading whitespace was already written, so
    /// the first line of a replacement that starts on a fresh line skips it.
    mutating func renderBlock(
        _ program: Program, _ index: Int, _ top: Frame, _ transform: LineTransform?
    ) {
        let block = program.blocks[index]
        guard !overrides.isEmpty, let override = overrides[block.name], depth < Self.maximumDepth else {
            run(program, block.body, top, transform)
            return
        }
        depth += 1
        let replacement = override.program.blocks[override.block]
        let target = (transform?.indent ?? []) + block.indentation.dropFirst(transform?.dedent ?? 0)
        if replacement.standalone && !block.standalone {
            writtenIndent = target.count
        } else if !replacement.standalone && block.standalone {
            writeIndent(target)
        }
        let inner = LineTransform(dedent: replacement.indentation.count, indent: target)
        run(override.program, replacement.body, top, inner.dedent == 0 && inner.indent.isEmpty ? nil : inner)
        writtenIndent = 0
        depth -= 1
    }

    // MARK: Line transforms

    mutating func writeIndent(_ indent: [UInt8]) {
        if writtenIndent > 0 {
            output.append(Array(indent.dropFirst(writtenIndent)))
            writtenIndent = 0
        } else {
            output.append(indent)
        }
    }

    mutating func writeText(_ program: Program, _ text: TextRef, _ transform: LineTransform) {
        let bytes = program.text.baseAddress! + Int(text.start)
        let count = Int(text.count)
        var copied = 0
        for entry in Int(text.lineStarts)..<Int(text.lineStarts + text.lineStartCount) {
            let lineStart = Int(program.lineStarts[entry])
            output.append(bytes + copied, count: lineStart - copied)
            writeIndent(transform.indent)
            copied = lineStart
            while copied < count, copied - lineStart < transform.dedent,
                  bytes[copied] == UInt8(ascii: " ") || bytes[copied] == UInt8(ascii: "\t") {
                copied += 1
            }
        }
        output.append(bytes + copied, count: count - copied)
    }
}
