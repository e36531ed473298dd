// TEMPORARY stub until the real engine lands. Delete me.
public enum MustacheValue: Sendable { case string(String) }
public final class TemplateLibrary: Sendable {
    public init() {}
    public func render(_ value: MustacheValue, template: String) -> String? { nil }
}
