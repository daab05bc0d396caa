import CaptionUI

/// The key table as an mdoc `KEYS` section for the man page.
///
/// ArgumentParser's generate-manual writes mdoc(7), so the section uses mdoc macros too
/// (`KeyTableDocs.manPage()` is man(7), which does not mix with mdoc). Same table, same texts.
public enum KeyTableManual {
    public static func mdoc(_ table: KeyBindingTable = .default) -> String {
        var out = ".Sh KEYS\n"
        out += "While captioning, these keys act. Rebind them in the\n.Bq keys\nsection of the config file, "
        out += "naming the action in parentheses.\n"
        for category in KeyCategory.allCases {
            out += ".Ss \(escape(category.title))\n"
            out += ".Bl -tag -width Ds\n"
            for action in KeyAction.allCases where action.category == category {
                out += ".It Sy \"\(escape(table.keyLabel(for: action)).replacingAll("\"", with: "\\(dq"))\"\n"
                out += "\(escape(action.details))\n"
                out += ".Pq Em \(escape(action.configName))\n"
            }
            out += ".El\n"
        }
        return out
    }

    /// Escapes text for a roff text line: backslashes, and a leading `.` or `'`.
    static func escape(_ s: String) -> String {
        var r = s.replacingAll("\\", with: "\\e")
        if r.hasPrefix(".") || r.hasPrefix("'") { r = "\\&" + r }
        return r
    }
}
