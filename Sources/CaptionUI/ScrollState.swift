/// Where the caption area is scrolled to.
public enum ScrollState: Equatable, Sendable {
    /// Showing the newest lines; new text scrolls the view.
    case following
    /// Scrolled back: the view is pinned to an anchor and new text does not move it.
    case scrolledBack(ScrollAnchor)
}
