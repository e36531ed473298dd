import Synchronization

/// A parsed Mustache template: immutable instructions, parsed once and rendered many times.
///
/// Supports the Mustache spec's interpolation, sections, inverted sections, comments, partials,
/// set delimiters and inheritance (parents and blocks); not lambdas or dynamic names. Rendering
/// cannot fail: missing data and unknown partials render as nothing.
public struct Template: Sendable {
    /// The name partials and parents inside this template are resolved relative to.
    public let name: String
    let program: Program
    /// The largest output so far, so later renders allocate their buffer once.
    private let sizeHint: SizeHint

    /// Parses `source`; `name` (like `site/layout`) is used in errors and for relative partials.
    public init(_ source: String, name: String = "") throws(ParseError) {
        try self.init(source, name: name, errorName: name)
    }

    /// Parses `source`, reporting errors under `errorName` (a file path, say).
    init(_ source: String, name: String, errorName: String) throws(ParseError) {
        var parser = Parser(source: Array(source.utf8), templateName: name, errorName: errorName)
        self.name = name
        program = try parser.parse()
        sizeHint = SizeHint(initial: program.text.count * 2)
    }

    /// Renders with `value` at the bottom of the context stack; partials and parents come from
    /// `library` (without one they render nothing).
    public func render(_ value: some MustacheRenderable, library: TemplateLibrary? = nil) -> String {
        withRendered(value, library: library) { output in output.makeString() }
    }

    /// Renders like ``render(_:library:)`` and appends the UTF-8 bytes to `buffer`, skipping the
    /// work of building a `String` (for writing straight into a response body).
    public func render(_ value: some MustacheRenderable, library: TemplateLibrary? = nil, into buffer: inout [UInt8]) {
        withRendered(value, library: library) { output in buffer.append(contentsOf: output.bytes) }
    }

    private func withRendered<Result>(
        _ value: some MustacheRenderable, library: TemplateLibrary?, _ body: (OutputBuffer) -> Result
    ) -> Result {
        var renderer = Renderer(library: library, capacity: sizeHint.value)
        renderer.run(program, 0..<program.ops.count, Frame(value.mustacheValue), nil)
        sizeHint.record(renderer.output.count)
        let result = body(renderer.output)
        renderer.output.free()
        return result
    }
}

/// The largest output a template has rendered, shared by all renders of it. Relaxed atomics
/// suffice: a stale value only means one more buffer growth.
private final class SizeHint: Sendable {
    /// Beyond this a buffer is left to grow, so one huge page does not make every later render
    /// allocate (and, past glibc's mmap threshold, map and unmap) that much memory.
    private static let limit = 64 * 1024
    private let largest: Atomic<Int>

    init(initial: Int) {
        largest = Atomic(min(max(initial, 256), Self.limit))
    }

    var value: Int { largest.load(ordering: .relaxed) + 16 }

    func record(_ size: Int) {
        if size > largest.load(ordering: .relaxed) && size <= Self.limit {
            largest.store(size, ordering: .relaxed)
        }
    }
}
