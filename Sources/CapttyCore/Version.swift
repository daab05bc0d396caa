/// captty's version, shown by `captty --version` and written into journals.
public enum CapttyVersion {
    public static let string = "0.1.0"
}
