import Foundation
import Testing
@testable import CaptionUI

@Suite("Key-action table, rebinding and generated docs")
struct KeyBindingTableTests {
    let table = KeyBindingTable.default

    @Test func everyActionHasADefaultKey() {
        for action in KeyAction.allCases {
            #expect(!table.keys(for: action).isEmpty, "\(action) has no key")
            for key in table.keys(for: action) { #expect(table.action(for: key) == action) }
        }
    }

    @Test func noKeyIsBoundTwice() {
        let all = KeyAction.allCases.flatMap(\.defaultKeys)
        #expect(Set(all).count == all.count)
    }

    @Test func requestedDefaults() {
        let expected: [(String, KeyAction)] = [
            ("space", .pause), ("i", .toggleInterim), ("p", .togglePunctuate), ("f", .toggleSmartFormat),
            ("d", .toggleDiarize), ("n", .toggleNumerals), ("x", .toggleProfanityFilter), ("l", .cycleLanguage),
            ("m", .cycleModel), ("t", .toggleTimestamps), ("w", .toggleSpeakerLabels), ("c", .toggleConfidenceDimming),
            ("a", .pickDevice), ("s", .saveNow), ("?", .help), ("pgup", .scrollPageUp), ("pgdn", .scrollPageDown),
            ("home", .scrollTop), ("end", .scrollBottom), ("ctrl-l", .redraw), ("q", .quit), ("ctrl-c", .quit),
        ]
        for (name, action) in expected {
            #expect(table.action(for: try! KeyInput(name: name)) == action, "\(name)")
        }
    }

    @Test func parsesConfigKeyNames() throws {
        #expect(try KeyInput(name: "space") == .character(" "))
        #expect(try KeyInput(name: "ctrl-l") == .control("l"))
        #expect(try KeyInput(name: "Ctrl-L") == .control("l"))
        #expect(try KeyInput(name: "C-x") == .control("x"))
        #expect(try KeyInput(name: "^C") == .control("c"))
        #expect(try KeyInput(name: "pgup") == .pageUp)
        #expect(try KeyInput(name: "PageDown") == .pageDown)
        #expect(try KeyInput(name: "F1") == .function(1))
        #expect(try KeyInput(name: "f12") == .function(12))
        #expect(try KeyInput(name: "Q") == .character("Q"))
        #expect(try KeyInput(name: "?") == .character("?"))
        #expect(try KeyInput(name: "é") == .character("é"))
        #expect(throws: KeyNameError.unknown("hyper-x")) { try KeyInput(name: "hyper-x") }
        #expect(throws: KeyNameError.badControl("ctrl-")) { try KeyInput(name: "ctrl-") }
        #expect(throws: KeyNameError.unknown("F99")) { try KeyInput(name: "F99") }
        #expect(throws: KeyNameError.empty) { try KeyInput(name: " ") }
        // Control keys the terminal sends as other keys are those keys (bound as control keys
        // they never fired, and a clash with Enter went unseen); Ctrl-Z never reaches captty.
        #expect(try KeyInput(name: "ctrl-m") == .enter && KeyInput(name: "ctrl-j") == .enter)
        #expect(try KeyInput(name: "ctrl-i") == .tab && KeyInput(name: "^H") == .backspace)
        #expect(throws: KeyNameError.reservedByTerminal("ctrl-z", "the terminal uses it to suspend the program")) { try KeyInput(name: "ctrl-z") }
        #expect(throws: (any Error).self) {
            try KeyBindingTable.default.applying(overrides: ["save": ["ctrl-m"], "help": ["enter"]])
        }
        #expect(try KeyInput(name: "ctrl-s") == .control("s"), "flow control is off: Ctrl-S is a key")
        // Names round-trip.
        for action in KeyAction.allCases {
            for key in action.defaultKeys { #expect(try KeyInput(name: key.configName) == key) }
        }
    }

    @Test func rebindingReplacesTheActionsKeys() throws {
        let rebound = try table.applying(overrides: ["quit": ["ctrl-q", "F10"], "help": ["h"]])
        #expect(rebound.action(for: .control("q")) == .quit)
        #expect(rebound.action(for: .function(10)) == .quit)
        #expect(rebound.action(for: .character("q")) == nil)
        #expect(rebound.action(for: .character("h")) == .help)
        #expect(rebound.action(for: .character("?")) == nil)
        #expect(rebound.action(for: .character("p")) == .togglePunctuate)
    }

    @Test func conflictingRebindingNamesTheKey() {
        #expect(throws: KeyBindingError.conflict(key: "p", actions: ["toggle-punctuate", "quit"])) {
            try table.applying(overrides: ["quit": ["p"]])
        }
        do {
            _ = try table.applying(overrides: ["toggle-timestamps": ["space"]])
            Issue.record("expected a conflict")
        } catch {
            #expect(error.description.contains("key \"space\" is bound to both \"pause\" and \"toggle-timestamps\""))
        }
        // Moving both keys in one go is fine.
        #expect((try? table.applying(overrides: ["quit": ["p"], "toggle-punctuate": ["P"]])) != nil)
    }

    @Test func badOverridesGiveClearErrors() {
        #expect(throws: KeyBindingError.unknownAction(name: "explode")) { try table.applying(overrides: ["explode": ["e"]]) }
        #expect(throws: KeyBindingError.badKey(action: "quit", problem: .unknown("hyperq"))) {
            try table.applying(overrides: ["quit": ["hyperq"]])
        }
        #expect(throws: KeyBindingError.unbound(action: "help")) { try table.applying(overrides: ["help": []]) }
        let message = KeyBindingError.unknownAction(name: "explode").description
        #expect(message.contains("toggle-smart-format"))
    }

    @Test func markdownTableListsEveryAction() {
        let md = KeyTableDocs.markdown()
        let rows = md.split(separator: "\n")
        #expect(rows.first == "| Category | Keys | Action (config name) | What it does |")
        #expect(rows.count == 2 + KeyAction.allCases.count)
        for action in KeyAction.allCases {
            #expect(md.contains("`\(action.configName)`"))
            #expect(md.contains(action.details))
        }
        #expect(md.contains("| Captioning | `Space` | `pause` |"))
        #expect(md.contains("| App | `q`, `Ctrl-C` | `quit` |"))
    }

    @Test func manPageFragmentListsEveryAction() {
        let man = KeyTableDocs.manPage()
        #expect(man.hasPrefix(".SH KEYS\n"))
        #expect(man.components(separatedBy: ".TP\n").count - 1 == KeyAction.allCases.count)
        #expect(man.contains(".B Ctrl\\-L\n"))
        for action in KeyAction.allCases { #expect(man.contains(KeyTableDocs.escapeRoff(action.configName))) }
    }
}
