/// Which keys trigger which actions; starts from `KeyAction.defaultKeys`, rebindable from a
/// config file with `applying(overrides:)`.
public struct KeyBindingTable: Equatable, Sendable {
    /// Keys per action; every action has at least one key and no key has two actions.
    public private(set) var keys: [KeyAction: [KeyInput]]
    private var actionsByKey: [KeyInput: KeyAction]

    /// The default bindings.
    public static let `default`: KeyBindingTable = {
        var keys: [KeyAction: [KeyInput]] = [:]
        for a in KeyAction.allCases { keys[a] = a.defaultKeys }
        // The defaults are checked by tests; a conflict here is a programming error.
        return try! KeyBindingTable(keys: keys)
    }()

    /// A table from explicit bindings; throws if a key is bound twice or an action has no key.
    public init(keys: [KeyAction: [KeyInput]]) throws(KeyBindingError) {
        var byKey: [KeyInput: KeyAction] = [:]
        for action in KeyAction.allCases {
            let list = keys[action] ?? []
            guard !list.isEmpty else { throw .unbound(action: action.configName) }
            for key in list {
                if key == .resize { throw .reservedKey(key: key.configName) }
                if let other = byKey[key], other != action {
                    throw .conflict(key: key.configName, actions: [other.configName, action.configName])
                }
                byKey[key] = action
            }
        }
        self.keys = keys.mapValues { Self.unique($0) }
        self.actionsByKey = byKey
    }

    /// The action bound to a key, if any.
    public func action(for key: KeyInput) -> KeyAction? { actionsByKey[key] }

    /// The keys of an action, in the order they were given.
    public func keys(for action: KeyAction) -> [KeyInput] { keys[action] ?? [] }

    /// The keys of an action as people read them, e.g. "q, Ctrl-C".
    public func keyLabel(for action: KeyAction) -> String {
        keys(for: action).map(\.displayName).joined(separator: ", ")
    }

    /// The table with some actions rebound. `overrides` maps an action's config name (e.g.
    /// "quit") to key names (e.g. ["q", "ctrl-q"]); each given action loses its old keys.
    /// Throws a `KeyBindingError` naming the action or key at fault, leaving this table intact.
    public func applying(overrides: [String: [String]]) throws(KeyBindingError) -> KeyBindingTable {
        var newKeys = keys
        // Sorted so the error for several bad entries is always the same one.
        for (name, keyNames) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let action = KeyAction(rawValue: name.trimmingWhitespace().lowercased()) else {
                throw .unknownAction(name: name)
            }
            var parsed: [KeyInput] = []
            for keyName in keyNames {
                do {
                    parsed.append(try KeyInput(name: keyName))
                } catch {
                    throw .badKey(action: action.configName, problem: error)
                }
            }
            newKeys[action] = parsed
        }
        return try KeyBindingTable(keys: newKeys)
    }

    private static func unique(_ list: [KeyInput]) -> [KeyInput] {
        var seen = Set<KeyInput>()
        return list.filter { seen.insert($0).inserted }
    }

    public static func == (a: KeyBindingTable, b: KeyBindingTable) -> Bool { a.keys == b.keys }
}
