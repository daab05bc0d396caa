import Foundation
import Testing
import TestSupport
@testable import Transcript

/// The journal's file goes while captions run (deleted, its directory removed, renamed away,
/// replaced by another file): at the next sync the writer notices and writes the journal again
/// with every line, at the same path or, when another file holds it, next to it; it says so
/// once, and never overwrites the other file.
@Suite struct JournalWrittenAgainTests {
    /// A writer syncing every 20 ms, the first `split` segments appended and synced.
    static func started(_ url: URL, split: Int) async throws -> (JournalWriter, [CommittedSegment]) {
        let (_, segs) = try JournalTests.sessionStore()
        #expect(segs.count > split + 1)
        let writer = await JournalWriter(url: url, header: FixtureReplay.header, syncInterval: .milliseconds(20),
                                         retryInterval: .milliseconds(20))
        await writer.append(Array(segs.prefix(split)))
        await writer.flush()
        #expect(try JournalReader.read(url).segments.count == split)
        return (writer, segs)
    }

    /// Appends the segments after `split` one at a time (each append may be the one whose sync
    /// notices), waits for the writer to write the journal again, and returns what it said.
    static func appendRest(_ writer: JournalWriter, _ segs: [CommittedSegment], from split: Int) async throws -> JournalRecovery? {
        for s in segs.dropFirst(split) { await writer.append([s]) }
        // No flush: the timer's sync is what notices.
        let recovered = await eventually(timeout: 10) { await writer.lastRecovery != nil }
        #expect(recovered)
        guard recovered else { return nil }   // the stream would wait forever
        var said = writer.recoveries.makeAsyncIterator()
        return await said.next()
    }

    @Test func aDeletedFileIsWrittenAgainWithEveryLine() async throws {
        let tmp = try TempDirectory("journal-deleted"); defer { tmp.remove() }
        let url = tmp.file("s.jsonl")
        let (writer, segs) = try await Self.started(url, split: 3)
        try FileManager.default.removeItem(at: url)
        let r = try await Self.appendRest(writer, segs, from: 3)
        #expect(r == JournalRecovery(cause: .deleted, lostPath: url.path, path: url.path, lineCount: r?.lineCount ?? -1))
        #expect((3 ... segs.count).contains(r?.lineCount ?? -1))
        #expect(r?.description == "the journal \(url.path) was deleted while captions ran; it was written again with all \(r?.lineCount ?? 0) lines")
        #expect(await writer.currentURL == url)
        #expect(await writer.state == .saved(path: url.path))
        // Lines before and after the deletion, each once, and later ones too.
        #expect(try JournalReader.read(url).segments == segs)
        #expect(FileMode.of(url.path) == 0o600)
        let extra = segs.prefix(2).map { var s = $0; s.lineID += 1000; return s }
        await writer.append(extra)
        #expect(await writer.close() == .closed(path: url.path))
        let back = try JournalReader.read(url)
        #expect(back.header == FixtureReplay.header)
        #expect(back.segments == segs + extra)
        #expect(back.issues.isEmpty && !back.tornLastLine)
    }

    /// A file emptied in place (`: > s.jsonl`, a log rotation's copytruncate) cannot be read
    /// back: the writer asks for every record again and writes the journal anew in the same
    /// file. (It was left headerless, and `captty export` refused it as "not a captty journal",
    /// while the session said the transcript was saved.)
    @Test func anEmptiedFileIsWrittenAgainFromTheRecordsGiven() async throws {
        let tmp = try TempDirectory("journal-emptied"); defer { tmp.remove() }
        let url = tmp.file("s.jsonl")
        let (writer, segs) = try await Self.started(url, split: 3)
        #expect(truncate(url.path, 0) == 0)
        var asked = writer.rewriteRequests.makeAsyncIterator()
        await writer.verifyPath()
        #expect(await asked.next() != nil, "no rewrite was asked for")
        // Appends go on meanwhile (they are among the records the session gives).
        await writer.append([segs[3]])
        await writer.rewrite(segs.prefix(4).map { JournalCodec.encode($0, sessionStartUnixMs: FixtureReplay.header.startUnixMs) })
        var said = writer.recoveries.makeAsyncIterator()
        let r = await said.next()
        #expect(r?.description == "the journal \(url.path) was emptied by another program while captions ran; it was written again with all 4 lines")
        await writer.append(Array(segs.dropFirst(4)))
        #expect(await writer.close() == .closed(path: url.path))
        let back = try JournalReader.read(url)
        #expect(back.header == FixtureReplay.header)
        #expect(back.segments == segs)
        #expect(back.issues.isEmpty && !back.tornLastLine)
    }

    /// A journal on a FUSE file system (sshfs, a sync client's; here `bindfs`) deleted
    /// underneath it: its descriptor answers ENOENT too, so the check could not tell, and the
    /// lines went into the void until the session said "Transcript saved" to a path that held
    /// nothing (found in QA). It is noticed, and written again from the session's records (the
    /// old file cannot be read back).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/bindfs")
                   && FileManager.default.fileExists(atPath: "/dev/fuse") && getuid() == 0,
                   "needs bindfs (scripts/setup installs it), /dev/fuse and root"),
          .timeLimit(.minutes(1)))
    func aFileDeletedUnderAFUSEMountIsWrittenAgain() async throws {
        let tmp = try TempDirectory("journal-fuse"); defer { tmp.remove() }
        let src = tmp.file("src"), mnt = tmp.file("mnt")
        try FileManager.default.createDirectory(at: src, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: mnt, withIntermediateDirectories: true)
        // (Not Foundation's Process: it waits for the end of the daemon bindfs leaves running.)
        let mount = try TmuxScreen.spawn("/usr/bin/bindfs", [src.path, mnt.path], timeout: 20)
        try #require(mount.status == 0, "bindfs: \(mount.stderr)")
        defer { _ = try? TmuxScreen.spawn("/bin/fusermount", ["-u", mnt.path], timeout: 20) }
        let url = mnt.appendingPathComponent("s.jsonl")
        let (writer, segs) = try await Self.started(url, split: 3)
        try FileManager.default.removeItem(at: src.appendingPathComponent("s.jsonl"))
        var asked = writer.rewriteRequests.makeAsyncIterator()
        await writer.verifyPath()
        // Copied from the old file when it can still be read back; else written again from the
        // session's records, which it asks for.
        var lines = 3
        if await writer.lastRecovery == nil {
            #expect(await asked.next() != nil, "neither written again nor a rewrite asked for")
            await writer.append([segs[3]])
            await writer.rewrite(segs.prefix(4).map { JournalCodec.encode($0, sessionStartUnixMs: FixtureReplay.header.startUnixMs) })
            lines = 4
        } else {
            await writer.append([segs[3]])
        }
        var said = writer.recoveries.makeAsyncIterator()
        let r = await said.next()
        #expect(r?.description == "the journal \(url.path) was deleted while captions ran; it was written again with all \(lines) lines")
        await writer.append(Array(segs.dropFirst(4)))
        #expect(await writer.close() == .closed(path: url.path))
        let back = try JournalReader.read(src.appendingPathComponent("s.jsonl"))
        #expect(back.segments == segs)
        #expect(back.issues.isEmpty && !back.tornLastLine)
        #expect(FileMode.of(url.path) == 0o600)
    }

    /// Emptied when it is too late to write it again (at the close): not said to be saved.
    @Test func anEmptiedFileAtTheCloseIsAFailure() async throws {
        let tmp = try TempDirectory("journal-emptied-late"); defer { tmp.remove() }
        let url = tmp.file("s.jsonl")
        let (writer, _) = try await Self.started(url, split: 3)
        #expect(truncate(url.path, 0) == 0)
        let state = await writer.close()
        #expect(state.isFailing, "\(state)")
        if case .failing(_, let message, _) = state { #expect(message.contains("was emptied by another program"), "\(message)") }
    }

    @Test func aRemovedDirectoryIsCreatedAgain() async throws {
        let tmp = try TempDirectory("journal-dir-gone"); defer { tmp.remove() }
        let url = tmp.file("sessions/deeper/s.jsonl")
        let (writer, segs) = try await Self.started(url, split: 2)
        try FileManager.default.removeItem(at: tmp.file("sessions"))
        let r = try await Self.appendRest(writer, segs, from: 2)
        #expect(r?.cause == .deleted && r?.path == url.path)
        #expect(try JournalReader.read(url).segments == segs)
        #expect(FileMode.of(tmp.file("sessions").path) == 0o700)
        #expect(FileMode.of(tmp.file("sessions/deeper").path) == 0o700)
        #expect(FileMode.of(url.path) == 0o600)
        await writer.close()
    }

    @Test func anotherFileAtThePathIsLeftAloneAndTheJournalGoesOnNextToIt() async throws {
        let tmp = try TempDirectory("journal-replaced"); defer { tmp.remove() }
        let url = tmp.file("talk.jsonl")
        let (writer, segs) = try await Self.started(url, split: 3)
        // A new file where the journal was, and the first free-looking name taken too.
        try FileManager.default.removeItem(at: url)
        try Data("someone else's\n".utf8).write(to: url)
        try Data("also someone else's\n".utf8).write(to: tmp.file("talk-recovered.jsonl"))
        let r = try await Self.appendRest(writer, segs, from: 3)
        let moved = tmp.file("talk-recovered-2.jsonl")
        #expect(r?.cause == .replaced && r?.lostPath == url.path && r?.path == moved.path)
        #expect(r?.description.contains("was replaced by another file") == true)
        #expect(r?.description.contains("that file was left alone and the journal continues in \(moved.path)") == true)
        #expect(try String(contentsOf: url, encoding: .utf8) == "someone else's\n")
        #expect(try String(contentsOf: tmp.file("talk-recovered.jsonl"), encoding: .utf8) == "also someone else's\n")
        #expect(await writer.currentURL == moved)
        #expect(await writer.state == .saved(path: moved.path))
        #expect(try JournalReader.read(moved).segments == segs)
        #expect(FileMode.of(moved.path) == 0o600)
        // It stays there, and says where when it closes.
        let extra = [segs[0]].map { var s = $0; s.lineID += 1000; return s }
        await writer.append(extra)
        #expect(await writer.close() == .closed(path: moved.path))
        #expect(try JournalReader.read(moved).segments == segs + extra)
        #expect(try String(contentsOf: url, encoding: .utf8) == "someone else's\n")
    }

    @Test func aFileRenamedAwayLeavesANewFileAtThePath() async throws {
        let tmp = try TempDirectory("journal-renamed"); defer { tmp.remove() }
        let url = tmp.file("s.jsonl")
        let away = tmp.file("old.jsonl")
        let (writer, segs) = try await Self.started(url, split: 3)
        try FileManager.default.moveItem(at: url, to: away)
        let r = try await Self.appendRest(writer, segs, from: 3)
        #expect(r?.cause == .movedAway && r?.path == url.path)
        #expect(r?.description.contains("was moved away") == true)
        #expect(try JournalReader.read(url).segments == segs)
        // The renamed copy is still a journal: a prefix of the lines.
        let old = try JournalReader.read(away).segments
        #expect(old.count >= 3 && Array(segs.prefix(old.count)) == old)
        await writer.close()
        #expect(try JournalReader.read(url).segments == segs)
    }

    @Test func whenThePathCannotBeWrittenAgainItFailsSaysWhyAndRetriesWithoutLosingALine() async throws {
        let tmp = try TempDirectory("journal-blocked"); defer { tmp.remove() }
        let url = tmp.file("sessions/s.jsonl")
        let (writer, segs) = try await Self.started(url, split: 3)
        // The directory goes and a plain file takes its name: the journal cannot be created there.
        let blocker = tmp.file("sessions")
        try FileManager.default.removeItem(at: blocker)
        try Data("x".utf8).write(to: blocker)
        await writer.append([segs[3]])   // its sync finds the journal gone
        var message = ""
        #expect(await eventually(timeout: 10) {
            guard case .failing(_, let m, true) = await writer.state else { return false }
            message = m
            return true
        })
        #expect(message.hasPrefix("the journal \(url.path) was deleted while captions ran and cannot be written again yet: "))
        #expect(message.contains("cannot create the directory \(blocker.path)"))
        #expect(message.hasSuffix("retrying, the transcript is kept meanwhile"))
        #expect(await writer.lastRecovery == nil)
        // Lines committed meanwhile wait in memory.
        await writer.append(Array(segs.dropFirst(4)))
        #expect(await writer.pendingLineCount == segs.count - 4)
        // The way clears: the journal is written again with every line, queued ones included.
        try FileManager.default.removeItem(at: blocker)
        #expect(await eventually(timeout: 10) { await writer.state == .saved(path: url.path) })
        #expect(await writer.pendingLineCount == 0)
        #expect(await writer.lastRecovery?.cause == .deleted)
        #expect(await writer.close() == .closed(path: url.path))
        #expect(try JournalReader.read(url).segments == segs)
    }

    @Test func aFileDeletedWhileNothingIsSaidIsWrittenAgainAtClose() async throws {
        let tmp = try TempDirectory("journal-idle"); defer { tmp.remove() }
        let url = tmp.file("s.jsonl")
        let (writer, segs) = try await Self.started(url, split: 3)
        try FileManager.default.removeItem(at: url)
        #expect(await writer.close() == .closed(path: url.path))
        #expect(await writer.lastRecovery?.lineCount == 3)
        #expect(try JournalReader.read(url).segments == Array(segs.prefix(3)))
    }

    /// During a long silence nothing is written, so no sync checks the path; the session's
    /// periodic `verifyPath` writes the journal again before a kill could take the lines with it.
    @Test func aFileDeletedDuringASilenceIsWrittenAgainByTheCheckWithoutAWrite() async throws {
        let tmp = try TempDirectory("journal-silence"); defer { tmp.remove() }
        let url = tmp.file("s.jsonl")
        let (writer, segs) = try await Self.started(url, split: 3)
        try FileManager.default.removeItem(at: url)
        try await Task.sleep(for: .milliseconds(100))   // several sync intervals, nothing to sync
        #expect(!FileManager.default.fileExists(atPath: url.path))
        await writer.verifyPath()
        #expect(await writer.lastRecovery?.cause == .deleted)
        // On disk now, before any close: a SIGKILL here would keep every line.
        #expect(try JournalReader.read(url).segments == Array(segs.prefix(3)))
        await writer.verifyPath()   // nothing to do the second time
        #expect(await writer.close() == .closed(path: url.path))
        #expect(try JournalReader.read(url).segments == Array(segs.prefix(3)))
    }

    @Test func aFileThatStaysIsNeverWrittenAgain() async throws {
        let tmp = try TempDirectory("journal-stays"); defer { tmp.remove() }
        let url = tmp.file("s.jsonl")
        let (writer, segs) = try await Self.started(url, split: 3)
        for s in segs.dropFirst(3) { await writer.append([s]) }
        await writer.close()
        #expect(await writer.lastRecovery == nil)
        #expect(try JournalReader.read(url).segments == segs)
        let siblings = try FileManager.default.contentsOfDirectory(atPath: tmp.url.path)
        #expect(siblings == ["s.jsonl"])
    }
}
