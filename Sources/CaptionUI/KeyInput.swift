import FoundationEssentials
import SystemSupport

/// One key press as the app sees it, independent of the terminal library.
public enum KeyInput: Hashable, Sendable {
    /// A printable character, including space.
    case character(Character)
    /// Ctrl plus a letter (stored lowercase), e.g. `.control("l")` for Ctrl-L.
    case control(Character)
    /// F1…F24.
    case function(Int)
    case pageUp, pageDown, home, end
    case up, down, left, right
    case enter, escape, backspace, tab, delete, insert
    /// The terminal changed size (not a key, but it arrives the same way).
    case resize

    /// The name used in config files, e.g. "space", "ctrl-l", "pgup", "F1", "q".
    public var configName: String {
        switch self {
        case .character(" "): return "space"
        case .character(let c): return String(c)
        case .control(let c): return "ctrl-\(c)"
        case .function(let n): return "F\(n)"
        case .pageUp: return "pgup"
        case .pageDown: return "pgdn"
        case .home: return "home"
        case .end: return "end"
        case .up: return "up"
        case .down: return "down"
        case .left: return "left"
        case .right: return "right"
        case .enter: return "enter"
        case .escape: return "esc"
        case .backspace: return "backspace"
        case .tab: return "tab"
        case .delete: return "delete"
        case .insert: return "insert"
        case .resize: return "resize"
        }
    }

    /// The name shown to people (help overlay, README), e.g. "Space", "Ctrl-L", "PgUp".
    public var displayName: String {
        switch self {
        case .character(" "): return "Space"
        case .character(let c): return String(c)
        case .control(let c): return "Ctrl-\(c.uppercased())"
        case .function(let n): return "F\(n)"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .up: return "Up"
        case .down: return "Down"
        case .left: return "Left"
        case .right: return "Right"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .backspace: return "Backspace"
        case .tab: return "Tab"
        case .delete: return "Delete"
        case .insert: return "Insert"
        case .resize: return "Resize"
        }
    }

    /// Parses a key name from a config file: a single character ("q", "?"), "space",
    /// "ctrl-l" (also "C-l", "^L"), "pgup"/"pageup", "pgdn"/"pagedown", "home", "end", arrows,
    /// "enter", "esc", "tab", "backspace", "delete", "insert", "F1"…"F24". Case-insensitive
    /// except for single characters.
    public init(name: String) throws(KeyNameError) {
        let raw = name.trimmingSpaces()
        guard !raw.isEmpty else { throw .empty }
        if raw.count == 1, let c = raw.first {
            guard let s = c.unicodeScalars.first, s.value >= 0x20, s.value != 0x7F else { throw .unknown(name) }
            self = .character(c)
            return
        }
        let lower = raw.lowercased()
        for prefix in ["ctrl-", "ctrl+", "c-", "^"] where lower.hasPrefix(prefix) {
            let rest = lower.dropFirst(prefix.count)
            guard rest.count == 1, let c = rest.first, c.isASCII, c.isLetter else {
                throw .badControl(name)
            }
            // The terminal sends these as other keys (Ctrl-M is Enter, Ctrl-I Tab, Ctrl-H
            // Backspace): bound as control keys they never fired, and a conflict with the key
            // they are went unseen. Ctrl-Z suspends the program before captty sees it.
            switch c {
            case "m", "j": self = .enter
            case "i": self = .tab
            case "h": self = .backspace
            case "z": throw .reservedByTerminal(name, "the terminal uses it to suspend the program")
            default: self = .control(c)
            }
            return
        }
        if lower.hasPrefix("f"), let n = Int(lower.dropFirst()), lower.count > 1 {
            guard (1...24).contains(n) else { throw .unknown(name) }
            self = .function(n)
            return
        }
        let named: [String: KeyInput] = [
            "space": .character(" "), "spc": .character(" "),
            "pgup": .pageUp, "pageup": .pageUp, "prior": .pageUp,
            "pgdn": .pageDown, "pgdown": .pageDown, "pagedown": .pageDown, "next": .pageDown,
            "home": .home, "end": .end, "up": .up, "down": .down, "left": .left, "right": .right,
            "enter": .enter, "return": .enter, "esc": .escape, "escape": .escape,
            "backspace": .backspace, "bs": .backspace, "tab": .tab, "delete": .delete, "del": .delete,
            "insert": .insert, "ins": .insert,
        ]
        guard let key = named[lower] else { throw .unknown(name) }
        self = key
    }
}
