import Deepgram

/// Renders a transcript in any `ExportFormat`: pure functions from lines (and the session's
/// header) to text.
public enum Exporter {
    public static func render(_ lines: some Collection<CaptionLine>, format: ExportFormat, header: JournalHeader? = nil,
                              metadata: Metadata? = nil, search: SearchResults = SearchResults(),
                              entities: EntityResults = EntityResults(), options: ExportOptions = ExportOptions()) -> String {
        switch format {
        case .txt: return PlainTextExporter.render(lines, options: options)
        case .srt: return SRTExporter.render(lines, options: options)
        case .vtt: return WebVTTExporter.render(lines, header: header, options: options)
        case .json: return DeepgramJSONExporter.render(lines, header: header, metadata: metadata, search: search, entities: entities)
        case .md: return MarkdownExporter.render(lines, header: header, options: options)
        }
    }
}
