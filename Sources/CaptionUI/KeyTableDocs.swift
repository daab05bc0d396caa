/// The key list for the README (Markdown) and the man page (roff), generated from the same
/// table as the help overlay.
public enum KeyTableDocs {
    /// A Markdown table of every action: category, keys, config name and description.
    public static func markdown(_ table: KeyBindingTable = .default) -> String {
        var out = "| Category | Keys | Action (config name) | What it does |\n"
        out += "|---|---|---|---|\n"
        for category in KeyCategory.allCases {
            for action in KeyAction.allCases where action.category == category {
                let keys = table.keys(for: action).map { "`\(escapeMarkdown($0.displayName))`" }
                    .joined(separator: ", ")
                out += "| \(category.title) | \(keys) | `\(action.configName)` | \(escapeMarkdown(action.details)) |\n"
            }
        }
        return out
    }

    /// A man-page fragment (a `.SH KEYS` section with one `.TP` entry per action).
    public static func manPage(_ table: KeyBindingTable = .default) -> String {
        var out = ".SH KEYS\n"
        for category in KeyCategory.allCases {
            out += ".SS \(escapeRoff(category.title))\n"
            for action in KeyAction.allCases where action.category == category {
                out += ".TP\n"
                out += ".B \(escapeRoff(table.keyLabel(for: action)))\n"
                out += "\(escapeRoff(action.details)) (\\fI\(escapeRoff(action.configName))\\fR)\n"
            }
        }
        return out
    }

    static func escapeMarkdown(_ s: String) -> String {
        s.replacingAll("\\", with: "\\\\").replacingAll("|", with: "\\|").replacingAll("`", with: "\\`")
    }

    static func escapeRoff(_ s: String) -> String {
        var r = s.replacingAll("\\", with: "\\e").replacingAll("-", with: "\\-")
        if r.hasPrefix(".") || r.hasPrefix("'") { r = "\\&" + r }
        return r
    }
}
