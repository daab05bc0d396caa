@testable import CaptionUI

/// Caption lines and snapshots shared by the render tests (realistic values, not stubs).
enum SampleScreens {
    static let conversation: [CaptionLineView] = [
        CaptionLineView(id: 1, start: 1.2, speaker: 0, text: "Good morning everyone, thanks for joining the weekly planning call."),
        CaptionLineView(id: 2, start: 6.8, speaker: 1, text: "Morning! Can everyone hear me all right?"),
        CaptionLineView(id: 3, start: 9.4, speaker: 0, words: [
            CaptionWord("Yes,", confidence: 0.98), CaptionWord("loud", confidence: 0.95),
            CaptionWord("and", confidence: 0.97), CaptionWord("clear.", confidence: 0.91),
            CaptionWord("Let's", confidence: 0.93), CaptionWord("start", confidence: 0.96),
            CaptionWord("with", confidence: 0.99), CaptionWord("the", confidence: 0.99),
            CaptionWord("Kubernetes", confidence: 0.41), CaptionWord("migration.", confidence: 0.88),
        ]),
        CaptionLineView(id: 4, start: 15.0, speaker: 2, text: "The cluster is up; we moved three services last week."),
    ]

    static func status(_ state: ConnectionState = .live) -> StatusInfo {
        StatusInfo(engine: "Deepgram", model: "nova-3", language: "en-US", connection: state,
                   lagMilliseconds: 320, elapsedSeconds: 3723,
                   save: .journaling(path: "/home/ana/.local/share/captty/2026-11-25T10-02-11.jsonl"))
    }

    static let level = LevelMeterReading(rmsDBFS: -23, peakHoldDBFS: -9, clipping: false, silent: false,
                                         deviceName: "Built-in Audio Analog Stereo")

    static func snapshot(lines: [CaptionLineView] = conversation, interim: String = "", mode: ColorMode = .color,
                         toggles: DisplayToggles = DisplayToggles(), state: ConnectionState = .live) -> ScreenSnapshot {
        ScreenSnapshot(lines: CaptionLines(lines), interim: interim, toggles: toggles, level: level,
                       status: status(state), colorMode: mode)
    }

    /// `n` numbered lines of varied length, for scrolling.
    static func numbered(_ n: Int, from first: Int = 1) -> [CaptionLineView] {
        (first..<(first + n)).map { i in
            let extra = String(repeating: " and more words", count: i % 4)
            return CaptionLineView(id: i, start: Double(i) * 2.5, speaker: nil, text: "Line \(i) says something\(extra).")
        }
    }
}
