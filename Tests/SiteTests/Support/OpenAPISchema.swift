import Foundation
import Security
import Web
import WebTesting

/// The API's OpenAPI document and a checker for the JSON-Schema subset its schemas use: `type`
/// (one or a list, `integer` vs `number`), `required`, `properties`, `additionalProperties:
/// false`, `enum`, `items`, `minLength` and local `$ref`s.
struct OpenAPISchema {
    let document: JSONValue

    /// Parses `text` (the body of `GET /api/openapi.json`).
    init(_ body: [UInt8]) throws {
        document = try JSONDecoder().decode(JSONValue.self, from: Data(body))
    }

    /// The schema of the JSON body `method path` answers with `status`; nil when the document
    /// declares that status without a body (204) or not at all (see `declares`).
    func responseSchema(_ method: String, _ path: String, status: Int) -> JSONValue? {
        guard var response = document["paths"]?[path]?[method.lowercased()]?["responses"]?[String(status)] else { return nil }
        response = resolve(response)
        return response["content"]?["application/json"]?["schema"]
    }

    /// Whether the document lists `status` for `method path`.
    func declares(_ method: String, _ path: String, status: Int) -> Bool {
        document["paths"]?[path]?[method.lowercased()]?["responses"]?[String(status)] != nil
    }

    /// A `$ref` followed to its target (local references only).
    func resolve(_ value: JSONValue) -> JSONValue {
        guard let ref = value["$ref"]?.stringValue, ref.hasPrefix("#/") else { return value }
        var current: JSONValue? = document
        for part in ref.dropFirst(2).split(separator: "/") { current = current?[String(part)] }
        return current.map(resolve) ?? .null
    }

    /// Where `value` breaks `schema`, as `$.path: problem` lines; empty when it conforms.
    func problems(_ value: JSONValue, schema raw: JSONValue, at path: String = "$") -> [String] {
        let schema = resolve(raw)
        var found: [String] = []
        if let type = schema["type"] {
            let allowed = type.arrayValue?.compactMap(\.stringValue) ?? type.stringValue.map { [$0] } ?? []
            if !allowed.contains(where: { Self.matches(value, type: $0) }) {
                return ["\(path): expected \(allowed.joined(separator: "|")), got \(Self.typeName(value))"]
            }
        }
        if let choices = schema["enum"]?.arrayValue, !choices.contains(value) {
            found.append("\(path): \(value) is not one of \(choices)")
        }
        if let minimum = schema["minLength"]?.intValue, let text = value.stringValue, text.count < minimum {
            found.append("\(path): shorter than \(minimum)")
        }
        if let object = value.objectValue {
            for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[name] == nil {
                found.append("\(path): missing required \(name)")
            }
            let properties = schema["properties"]?.objectValue ?? [:]
            for (name, member) in object {
                if let property = properties[name] {
                    found += problems(member, schema: property, at: "\(path).\(name)")
                } else if schema["additionalProperties"] == .bool(false) {
                    found.append("\(path): unexpected property \(name)")
                }
            }
        }
        if let items = schema["items"], let elements = value.arrayValue {
            for (index, element) in elements.enumerated() { found += problems(element, schema: items, at: "\(path)[\(index)]") }
        }
        return found
    }

    /// Problems with a real response to `method path`: an undeclared status, a wrong content
    /// type, or a body that breaks the declared schema.
    func problems(with response: TestResponse, _ method: String, _ path: String) -> [String] {
        let status = response.status.code
        guard declares(method, path, status: status) else { return ["\(method) \(path) answered \(status), which the document does not declare"] }
        guard let schema = responseSchema(method, path, status: status) else {
            return response.body.isEmpty ? [] : ["\(method) \(path) \(status) has a body the document does not declare"]
        }
        guard response.headers["Content-Type"]?.hasPrefix("application/json") == true else { return ["\(method) \(path) \(status) is not JSON"] }
        guard let body = try? JSONDecoder().decode(JSONValue.self, from: Data(response.body)) else { return ["\(method) \(path) \(status): body is not JSON"] }
        return problems(body, schema: schema)
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("integer", .int), ("number", .int), ("number", .double), ("string", .string),
             ("array", .array), ("object", .object): true
        default: false
        }
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
