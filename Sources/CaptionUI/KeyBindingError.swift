/// A key-binding override that cannot be applied.
public enum KeyBindingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// One key would trigger two actions.
    case conflict(key: String, actions: [String])
    /// The config names an action that does not exist.
    case unknownAction(name: String)
    /// A key name could not be parsed.
    case badKey(action: String, problem: KeyNameError)
    /// An action was left without any key.
    case unbound(action: String)
    /// A key that cannot be bound.
    case reservedKey(key: String)

    public var description: String {
        switch self {
        case .conflict(let key, let actions):
            let list = actions.map { "\"\($0)\"" }.joined(separator: " and ")
            return "key \"\(key)\" is bound to both \(list); bind one of them to another key in the [keys] section of the config"
        case .unknownAction(let name):
            let known = KeyAction.allCases.map(\.configName).joined(separator: ", ")
            return "unknown action \"\(name)\" in the key bindings; known actions: \(known)"
        case .badKey(let action, let problem):
            return "key binding for \"\(action)\": \(problem)"
        case .unbound(let action):
            return "action \"\(action)\" has no key; give it at least one key"
        case .reservedKey(let key):
            return "\"\(key)\" cannot be bound to an action"
        }
    }
}
