/// Lines produced on demand by a closure (for example mapping the transcript store's lines).
public struct ClosureLineSource: CaptionLineSource {
    public let count: Int
    public let revision: Int
    private let provider: @Sendable (Int) -> CaptionLineView

    public init(count: Int, revision: Int, line provider: @escaping @Sendable (Int) -> CaptionLineView) {
        self.count = count
        self.revision = revision
        self.provider = provider
    }

    public func line(at index: Int) -> CaptionLineView { provider(index) }
}
