import Identity
import Localization
import Mustache

extension FieldErrors {
    /// `{field: message}` for templates, each message in `translator`'s language, plus `any`
    /// when there is at least one.
    public func mustacheValue(_ translator: Translator) -> MustacheValue {
        var values = messages.mapValues { MustacheValue.string(translator.text($0)) }
        values["any"] = .bool(!messages.isEmpty)
        return MustacheValue(values)
    }
}
