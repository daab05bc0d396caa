import CaptionUI

/// The `[keys]` section of the config applied to the default key table.
public enum KeyBindingConfig {
    /// The default table with the config's bindings. A value may list several keys separated
    /// by commas (`quit = "q, ctrl-q"`). An invalid binding throws a `ConfigError` naming the
    /// config file, the line and the key.
    public static func table(from config: CapttyConfig, base: KeyBindingTable = .default) throws(ConfigError) -> KeyBindingTable {
        guard !config.keys.isEmpty else { return base }
        var overrides: [String: [String]] = [:]
        for (action, value) in config.keys {
            overrides[action] = value.split(separator: ",").map { String($0).trimmingSpaces() }
                .filter { !$0.isEmpty }
            if overrides[action]!.isEmpty { overrides[action] = [value] }
        }
        do {
            return try base.applying(overrides: overrides)
        } catch {
            let file = config.source ?? "config"
            let action: String?
            switch error {
            case .badKey(let a, _), .unbound(let a): action = a
            case .unknownAction(let n): action = n
            case .conflict(_, let actions): action = actions.first { config.keyLines[$0] != nil }
            case .reservedKey: action = config.keys.keys.sorted().first
            }
            let line = action.flatMap { config.keyLines[$0] } ?? 0
            throw ConfigError(file: file, line: line, key: action.map { "keys.\($0)" }, message: error.description)
        }
    }
}

extension LiveApp.Settings {
    /// The app settings a config file asks for: cycling lists, display toggles (with
    /// `--timestamps` on top) and key bindings. Throws for an invalid key binding.
    public static func from(_ config: CapttyConfig, timestamps: Bool = false) throws(ConfigError) -> LiveApp.Settings {
        let d = config.display
        let toggles = DisplayToggles(showInterim: d.interim, timestamps: d.timestamps || timestamps,
                                     speakerLabels: d.speakerLabels, confidenceDimming: d.confidenceDimming,
                                     lowConfidenceThreshold: d.lowConfidence, showMeter: d.meter)
        return LiveApp.Settings(languages: config.languages, models: config.models, toggles: toggles,
                                keyBindings: try KeyBindingConfig.table(from: config))
    }
}

/// The key table as documentation, for `captty --print-key-table` (used by scripts/gen-docs).
public enum KeyTableText {
    /// `man`: an mdoc KEYS section (the generated man page is mdoc); anything else: Markdown.
    public static func render(_ format: String) -> String {
        format == "man" ? KeyTableManual.mdoc() : KeyTableDocs.markdown()
    }
}
