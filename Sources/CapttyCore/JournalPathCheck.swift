import FoundationEssentials
import Glibc
import Transcript

extension JournalLocation {
    /// Why a journal cannot be created at `url`, said for `--journal`; nil when it can be tried.
    /// A `named` path's folder must exist (a typo made a whole new tree, as root even under /);
    /// a folder or an existing file is never written over, named or not.
    public static func problem(creating url: URL, named: Bool) -> String? {
        var st = stat()
        if named {
            let folder = url.deletingLastPathComponent().path
            if stat(folder, &st) != 0 || (st.st_mode & S_IFMT) != S_IFDIR {
                return "the folder \(folder) for --journal does not exist; create it (mkdir -p \(LiveLauncher.shellQuoted(folder))) or choose another path"
            }
        }
        guard lstat(url.path, &st) == 0 else { return nil }
        if stat(url.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            return "\(url.path) is a directory: --journal takes a file path (journal_dir in the config file chooses a folder)"
        }
        return "\(url.path) already exists; choose another --journal path (captty never overwrites a journal)"
    }
}
