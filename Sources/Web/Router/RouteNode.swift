/// One node of the routing tree: a path segment with its children and its handlers by method.
/// Static children are tried before a `:parameter`, which is tried before a trailing `*`.
final class RouteNode: @unchecked Sendable {
    // Mutated only while routes are registered, before the server starts; read-only afterwards.
    var staticChildren: [String: RouteNode] = [:]
    var parameterChild: (name: String, node: RouteNode)?
    var catchAll: RouteNode?
    var handlers: [HTTPMethod: any Responder] = [:]
    var pattern = ""

    /// The node for `segments`, created as needed.
    func insert(_ segments: ArraySlice<Substring>, pattern: String) -> RouteNode {
        guard let segment = segments.first else {
            self.pattern = pattern
            return self
        }
        let rest = segments.dropFirst()
        if segment == "*" {
            precondition(rest.isEmpty, "'*' must be the last segment of \(pattern)")
            let node = catchAll ?? RouteNode()
            catchAll = node
            node.pattern = pattern
            return node
        }
        if segment.first == ":" {
            let name = String(segment.dropFirst())
            if let existing = parameterChild {
                precondition(existing.name == name, "conflicting parameter names :\(existing.name) and :\(name) in \(pattern)")
                return existing.node.insert(rest, pattern: pattern)
            }
            let node = RouteNode()
            parameterChild = (name, node)
            return node.insert(rest, pattern: pattern)
        }
        let key = String(segment)
        let node = staticChildren[key] ?? RouteNode()
        staticChildren[key] = node
        return node.insert(rest, pattern: pattern)
    }

    /// Finds the node for the decoded path segments, filling `parameters`; backtracks from a
    /// static branch that dead-ends into the parameter branch.
    func match(_ segments: ArraySlice<String>, rawRest: ArraySlice<Substring>, parameters: inout Parameters) -> RouteNode? {
        guard let segment = segments.first else {
            if !handlers.isEmpty { return self }
            return nil
        }
        let rest = segments.dropFirst()
        if let child = staticChildren[segment], let found = child.match(rest, rawRest: rawRest.dropFirst(), parameters: &parameters) {
            return found
        }
        if let (name, child) = parameterChild {
            parameters.set(name, segment)
            if let found = child.match(rest, rawRest: rawRest.dropFirst(), parameters: &parameters) { return found }
            parameters.removeLast()
        }
        if let catchAll, !catchAll.handlers.isEmpty {
            parameters.set("*", rawRest.joined(separator: "/"))
            return catchAll
        }
        return nil
    }
}
