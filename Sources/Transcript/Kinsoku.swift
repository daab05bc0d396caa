/// Line-breaking rules of Japanese and Chinese typesetting (kinsoku shori): characters a line
/// never starts with (closing punctuation, small kana, the prolonged sound mark) and ones it
/// never ends with (opening brackets). Used by the screen's wrapping and the subtitle exports.
public enum Kinsoku {
    /// Whether a line or row may not begin with `ch`.
    public static func neverStarts(_ ch: Character) -> Bool {
        guard ch.unicodeScalars.count == 1, let v = ch.unicodeScalars.first?.value else { return false }
        return starts.contains(v)
    }

    /// Whether a line or row may not end with `ch`.
    public static func neverEnds(_ ch: Character) -> Bool {
        guard ch.unicodeScalars.count == 1, let v = ch.unicodeScalars.first?.value else { return false }
        return ends.contains(v)
    }

    private static let starts: Set<UInt32> = Set("、。，．,.：；？！:;?!)）]］｝〕〉》」』】〙〗〟’”｠»・ー々〻ゝゞヽヾぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
        .unicodeScalars.map(\.value))
    private static let ends: Set<UInt32> = Set("(（[［｛〔〈《「『【〘〖〝‘“｟«".unicodeScalars.map(\.value))
}
