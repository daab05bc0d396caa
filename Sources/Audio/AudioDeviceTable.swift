/// Renders the device list as the plain-text table `captty devices` prints.
public enum AudioDeviceTable {
    /// One header line, then one line per device:
    /// `INDEX  DEFAULT  KIND     NAME                 DESCRIPTION`; `*` marks the default
    /// source, `S` the monitor `--system-audio` uses.
    public static func render(_ devices: [AudioDevice]) -> String {
        if devices.isEmpty { return "No capture devices. Is PulseAudio running (pactl info)?\n" }
        let rows: [[String]] = [["INDEX", "DEFAULT", "KIND", "NAME", "DESCRIPTION"]] + devices.map { d in
            // Both when the default source is the default sink's monitor (only `*` showed).
            let mark = (d.isDefault ? "*" : "") + (d.isDefaultSinkMonitor ? "S" : "")
            return [String(d.index), mark, d.isMonitor ? "monitor" : "input", d.name, d.description]
        }
        var widths = [Int](repeating: 0, count: 5)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        var out = ""
        for r in rows {
            var line = ""
            for (i, c) in r.enumerated() {
                if i == r.count - 1 { line += c } else { line += c + String(repeating: " ", count: widths[i] + 2 - c.count) }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        out += "* default source   S monitor of the default sink (--system-audio)\n"
        return out
    }
}
