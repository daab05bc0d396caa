/// captty's version, shown by `captty --version`, written into journals and sent as the
/// Deepgram client's User-Agent.
public enum CapttyVersion {
    public static let string = "0.1.0"
}
