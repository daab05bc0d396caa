import Deepgram

/// Renders a transcript in any `ExportFormat`: pure functions from lines (and the session's
/// header) to text.
public enum Exporter {
    public static func render(_ lines: some Collection<CaptionLine>, format: ExportFormat, header: JournalHeader? = nil,
                              metadata: Metadata? = nil, search: SearchResults = SearchResults(),
                              entities: EntityResults = EntityResults(), options: ExportOptions = ExportOptions()) -> String {
        // The model named is the one that ran, as the server's Metadata says (a journal's header
        // has the one asked for, which a server may have answered with another).
        var header = header
        if let m = metadata, let uuid = m.models.first, let ran = m.modelInfo[uuid]?.displayName, !ran.isEmpty {
            header?.model = ran
        }
        switch format {
        case .txt: return PlainTextExporter.render(lines, options: options)
        case .srt: return SRTExporter.render(lines, options: options)
        case .vtt: return WebVTTExporter.render(lines, header: header, options: options)
        case .json: return DeepgramJSONExporter.render(lines, header: header, metadata: metadata, search: search, entities: entities,
                                                       gaps: options.gaps, unconfirmed: options.unconfirmed, audioEnd: options.audioEnd,
                                                       optionChanges: options.optionChanges)
        case .md: return MarkdownExporter.render(lines, header: header, options: options)
        }
    }
}
