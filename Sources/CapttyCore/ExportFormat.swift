import Transcript

/// A transcript export format (txt, srt, vtt, json, md), as the command line names it.
public typealias ExportFormatName = ExportFormat
