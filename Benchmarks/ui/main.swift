// Frame render time of the captty screen into the in-memory terminal.
//
// Reproduce: swift run -c release UIBenchmarks
// (from the package root; prints one line per case: size, transcript length, scenario, time per frame)
import CaptionUI

let vocabulary = ["the", "meeting", "starts", "at", "nine", "and", "we", "will", "review", "the", "roadmap",
                  "for", "next", "quarter", "日本語の", "テキスト", "café", "numbers", "like", "42"]

func makeLines(_ n: Int) -> [CaptionLineView] {
    var lines: [CaptionLineView] = []
    lines.reserveCapacity(n)
    for i in 0..<n {
        let count = 6 + (i * 7) % 14
        let words = (0..<count).map { j in
            CaptionWord(vocabulary[(i + j * 3) % vocabulary.count], confidence: Double((i + j) % 10) / 10)
        }
        lines.append(CaptionLineView(id: i + 1, start: Double(i) * 3.1, speaker: i % 3, words: words))
    }
    return lines
}

func snapshot(_ lines: CaptionLines, interim: String) -> ScreenSnapshot {
    ScreenSnapshot(lines: lines, interim: interim,
                   toggles: DisplayToggles(timestamps: true, speakerLabels: true, confidenceDimming: true),
                   level: LevelMeterReading(rmsDBFS: -24, peakHoldDBFS: -10, deviceName: "Built-in Audio"),
                   status: StatusInfo(engine: "Deepgram", model: "nova-3", language: "en-US", connection: .live,
                                      lagMilliseconds: 310, elapsedSeconds: 5000,
                                      save: .journaling(path: "/home/user/.local/share/captty/session.jsonl")))
}

/// Runs `body` repeatedly for about `seconds`, returns the median time per call in microseconds.
func measure(seconds: Double = 0.6, _ body: (Int) -> Void) -> (median: Double, p95: Double, runs: Int) {
    let clock = ContinuousClock()
    for i in 0..<5 { body(i) }                       // warm-up
    var samples: [Double] = []
    let end = clock.now.advanced(by: .milliseconds(Int(seconds * 1000)))
    var i = 0
    while clock.now < end || samples.count < 20 {
        let t0 = clock.now
        body(i)
        let d = clock.now - t0
        samples.append(Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12)
        i += 1
    }
    samples.sort()
    return (samples[samples.count / 2], samples[min(samples.count - 1, samples.count * 95 / 100)], samples.count)
}

func fmt(_ v: Double) -> String {
    let r = (v * 10).rounded() / 10
    let s = "\(r)"
    return String(repeating: " ", count: max(0, 9 - s.count)) + s
}

print("captty UI benchmark — frame render time into MemoryTerminal (median / p95 µs per frame)")
print("reproduce: swift run -c release UIBenchmarks")
print("size     lines    scenario                          median µs     p95 µs   frames measured")
let sizes = [TerminalSize(width: 80, height: 24), TerminalSize(width: 200, height: 60)]
for lineCount in [10, 1_000, 100_000] {   // 1,000 already fills a 200x60 screen
    let lines = CaptionLines(ArrayLineSource(makeLines(lineCount)))
    for size in sizes {
        let term = MemoryTerminal(width: size.width, height: size.height)
        let renderer = Renderer(terminal: term)
        // 1. Live captioning: the interim guess changes every frame (diffed rows only).
        let live = measure { i in
            renderer.renderNow(snapshot(lines, interim: "and the interim guess number \(i) keeps growing"), now: Double(i))
        }
        // 2. Full repaint every frame (Ctrl-L, resize): clear + every row sent.
        let full = measure { i in
            renderer.invalidate()
            renderer.renderNow(snapshot(lines, interim: "interim \(i % 2)"), now: Double(i))
        }
        // 3. Scrolled back to the middle of the transcript, interim changing.
        var scrolled = snapshot(lines, interim: "x")
        let mid = lines[lineCount / 2].id
        scrolled.scroll = .scrolledBack(ScrollAnchor(lineID: mid, offset: 0, lineCountAtScroll: lineCount))
        let back = measure { i in
            scrolled.interim = "interim \(i)"
            scrolled.status.elapsedSeconds = Double(i)
            renderer.renderNow(scrolled, now: Double(i))
        }
        // 4. Just drawing the surface (no terminal), for reference.
        let surface = measure { i in
            _ = ScreenView.render(snapshot(lines, interim: "guess \(i)"), size: size)
        }
        // 5. Page-up scroll command on the live view.
        let page = measure { _ in
            _ = CaptionViewport.scrolled(snapshot(lines, interim: ""), by: .pageUp, screen: size)
        }
        let label = "\(size)".padding(8) + "\(lineCount)".padding(9)
        for (name, r) in [("live frame (diffed rows)", live), ("full repaint", full),
                          ("scrolled back, mid transcript", back), ("surface only (no terminal)", surface),
                          ("page-up scroll command", page)] {
            print(label + name.padding(32) + fmt(r.median) + "  " + fmt(r.p95) + "   \(r.runs)")
        }
    }
}

extension String {
    func padding(_ n: Int) -> String { self + String(repeating: " ", count: max(1, n - count)) }
}
