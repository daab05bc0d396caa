/// Which capture device to use: the default source, the default sink's monitor, or one the user named.
public enum AudioDeviceSelector: Sendable, Hashable, CustomStringConvertible {
    /// The server's default source (the microphone, usually).
    case defaultSource
    /// The monitor of the default sink: captions what this computer plays (`--system-audio`).
    case systemAudio
    /// A source by exact name, index ("3"), or a case-insensitive substring of its name or
    /// description that matches exactly one device.
    case named(String)

    public var description: String {
        switch self {
        case .defaultSource: return "default source"
        case .systemAudio: return "system audio (monitor of the default sink)"
        case .named(let q): return q
        }
    }

    /// The name PulseAudio resolves itself, so reconnecting follows a changed default.
    var pulseSpecialName: String? {
        switch self {
        case .defaultSource: return "@DEFAULT_SOURCE@"
        case .systemAudio: return "@DEFAULT_MONITOR@"
        case .named: return nil
        }
    }

    /// Picks the device this selector means among `devices`.
    ///
    /// Rules, in order: exact name; an all-digit query as an index (when a device has it); a sink's exact name for its
    /// monitor (`speakers` → `speakers.monitor`: a sink is not a source, and `speakers` was
    /// ambiguous with `speakers2.monitor`); exact description (case-insensitive); a
    /// case-insensitive substring of name or description matching
    /// exactly one device. Several matches throw `.ambiguousDevice` listing them; none
    /// throws `.unknownDevice` listing all devices.
    public func resolve(in devices: [AudioDevice]) throws(AudioError) -> AudioDevice {
        switch self {
        case .defaultSource:
            if let d = devices.first(where: \.isDefault) { return d }
            throw .unknownDevice("the default source", available: devices)
        case .systemAudio:
            if let d = devices.first(where: \.isDefaultSinkMonitor) { return d }
            throw .unknownDevice("the monitor of the default sink", available: devices)
        case .named(let query):
            if let d = devices.first(where: { $0.name == query }) { return d }
            // A number no index has is looked for in names too ("8" for "Scarlett 8i6").
            if !query.isEmpty, query.allSatisfy(\.isASCII), let i = Int(query),
               let d = devices.first(where: { $0.index == i }) { return d }
            if let d = devices.first(where: { $0.isMonitor && $0.name == query + ".monitor" }) { return d }
            let q = query.lowercased()
            let exact = devices.filter { $0.description.lowercased() == q }
            if exact.count == 1 { return exact[0] }
            let matches = devices.filter { $0.name.lowercased().contains(q) || $0.description.lowercased().contains(q) }
            if matches.count == 1 { return matches[0] }
            if matches.isEmpty || q.isEmpty { throw .unknownDevice(query, available: devices) }
            throw .ambiguousDevice(query, matches: matches)
        }
    }
}
