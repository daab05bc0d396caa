/// A transcript export format.
public enum ExportFormatName: String, CaseIterable, Sendable, Codable {
    case txt, srt, vtt, json, md
}
