import Testing
@testable import Transcript

/// Chunked line storage: indexable across chunk and group boundaries, and copies are
/// independent values.
@Suite struct LineStorageTests {
    @Test func indexesAcrossChunksAndGroups() {
        var s = LineStorage()
        let n = LineStorage.groupSize * 2 + LineStorage.chunkSize + 7
        for i in 0 ..< n { s.append(CaptionLine(id: i)) }
        #expect(s.count == n)
        #expect(s.map(\.id) == Array(0 ..< n))
        #expect(s.suffix(3).map(\.id) == [n - 3, n - 2, n - 1])
        #expect(s.suffix(0).isEmpty && LineStorage().suffix(5).isEmpty)
    }

    @Test func copiesDoNotSeeLaterChanges() {
        var s = LineStorage()
        for i in 0 ..< LineStorage.groupSize + 5 { s.append(CaptionLine(id: i)) }
        let snapshot = s
        s[3].isClosed = true
        s[LineStorage.groupSize + 2].speaker = 9
        s.append(CaptionLine(id: -1))
        #expect(!snapshot[3].isClosed && s[3].isClosed)
        #expect(snapshot[LineStorage.groupSize + 2].speaker == nil)
        #expect(snapshot.count == LineStorage.groupSize + 5 && s.count == snapshot.count + 1)
    }
}
