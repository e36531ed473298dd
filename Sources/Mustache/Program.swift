// The parsed form of a template: a flat list of plain-data instructions over shared tables.
//
// A tree of enums holding arrays and strings costs a retain and a release for every node visited
// and every payload bound; with plain-data instructions the render loop touches reference counts
// only for the data it looks up. Sections, blocks and parents record where their content ends, so
// nesting is a range of the same instruction list.

/// A run of consecutive keys in ``Program/keys``: a dotted name; zero keys is `.`.
struct NameRef {
    var start: UInt32
    var count: UInt32
}

/// A run of bytes in ``Program/text`` and of line-start offsets in ``Program/lineStarts``.
struct TextRef {
    var start: UInt32
    var count: UInt32
    var lineStarts: UInt32
    var lineStartCount: UInt32
}

/// One instruction. Content of a section, block or parent is the instructions up to `end`.
enum Op {
    /// Literal text.
    case text(TextRef)
    /// A source line that begins with a tag: where indentation goes when a transform is active.
    case lineStart
    /// `{{name}}` (escaped) or `{{{name}}}` / `{{&name}}` (raw).
    case variable(NameRef, escaped: Bool)
    /// `{{#name}}...{{/name}}`.
    case section(NameRef, end: UInt32)
    /// `{{^name}}...{{/name}}`.
    case invertedSection(NameRef, end: UInt32)
    /// `{{>name}}`, described by ``Program/partials``.
    case partial(UInt32)
    /// `{{<name}}...{{/name}}`, described by ``Program/parents``; its blocks lie before `end`.
    case parent(UInt32, end: UInt32)
    /// `{{$name}}...{{/name}}`, described by ``Program/blocks``; default content lies before `end`.
    case block(UInt32, end: UInt32)
}

/// The name a partial or parent tag asks for, with its fallback relative to the including folder.
struct PartialName: Sendable {
    /// The name as written.
    let name: String
    /// `folder/name` when the including template lives in `folder`, else `nil`.
    let relative: String?

    init(_ name: String, includedFrom template: String) {
        self.name = name
        if let slash = template.lastIndex(of: "/") {
            relative = template[..<slash] + "/" + name
        } else {
            relative = nil
        }
    }
}

/// A partial tag.
struct PartialCall: Sendable {
    let name: PartialName
    /// Set only when the tag stands alone on its line.
    let indentation: [UInt8]?
}

/// A parent tag: the template to expand and the blocks passed to it.
struct ParentCall: Sendable {
    let name: PartialName
    /// Set only when the parent stands alone on its line (then it indents like a partial).
    let indentation: [UInt8]?
    /// The blocks written directly inside the parent tag: name to index in ``Program/blocks``.
    let blocks: [String: Int]
}

/// A block: default content where it is declared, replacement content inside a parent tag.
struct BlockInfo: Sendable {
    let name: String
    /// The instructions between the block's tags.
    let body: Range<Int>
    /// Whether the opening tag stood alone on its line, so the content begins on a fresh line.
    let standalone: Bool
    /// For a standalone opening tag, the leading whitespace of the line after it (the content's
    /// own indentation); otherwise the leading whitespace of the tag's line.
    let indentation: [UInt8]
}

/// An immutable compiled template. Instructions, text and keys sit in buffers allocated once, so
/// the renderer can read them through pointers without touching reference counts.
final class Program: @unchecked Sendable {
    // @unchecked: the buffers are written only in `init` and freed in `deinit`; every other access
    // reads them, so sharing a Program between threads is safe.
    let ops: UnsafeMutableBufferPointer<Op>
    let text: UnsafeMutableBufferPointer<UInt8>
    let lineStarts: UnsafeMutableBufferPointer<UInt32>
    let keys: UnsafeMutableBufferPointer<String>
    let partials: [PartialCall]
    let parents: [ParentCall]
    let blocks: [BlockInfo]

    init(ops: [Op], text: [UInt8], lineStarts: [UInt32], keys: [String],
         partials: [PartialCall], parents: [ParentCall], blocks: [BlockInfo]) {
        self.ops = Self.copy(ops)
        // Padding lets the renderer copy text in whole words (`OutputBuffer.appendPadded`).
        self.text = Self.copy(text + [UInt8](repeating: 0, count: OutputBuffer.slack))
        self.lineStarts = Self.copy(lineStarts)
        self.keys = Self.copy(keys)
        self.partials = partials
        self.parents = parents
        self.blocks = blocks
    }

    deinit {
        ops.deallocate()
        text.deallocate()
        lineStarts.deallocate()
        keys.deinitialize()
        keys.deallocate()
    }

    private static func copy<Element>(_ elements: [Element]) -> UnsafeMutableBufferPointer<Element> {
        let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: max(elements.count, 1))
        _ = buffer.initialize(from: elements)
        return UnsafeMutableBufferPointer(rebasing: buffer[0..<elements.count])
    }
}
