// TEMPORARY stub until the real engine lands. Delete me.
public final class TemplateLibrary: Sendable {
    public init(directory: String) throws {}
    public func render(_ value: MustacheValue, template: String) -> String? { nil }
}
