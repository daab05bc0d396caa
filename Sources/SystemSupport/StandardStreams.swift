#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard input, output and error as the process was given them.
public enum StandardStreams {
    /// Holds the numbers of closed standard streams (`captty >&-`) with /dev/null, before
    /// anything else opens a file: the first file opened took the number of the closed stream,
    /// and the transcript meant for standard output was written into captty's log file (found
    /// in QA). Output and error are held open for reading only, so that a write to them fails
    /// (EBADF) as a write to a closed stream does and is said: a transcript is not lost quietly.
    /// Call first thing in `main`, before any thread starts.
    public static func holdClosedOnes() {
        for fd in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let held = open("/dev/null", O_RDONLY | O_CLOEXEC)
            if held >= 0 && held != fd {
                _ = dup2(held, fd)
                close(held)
            }
        }
    }

    /// What to say for a failed write to standard output: "standard output is closed" for EBADF
    /// (the caller closed it), with `remedy`, else the system's words.
    public static func outputError(_ code: Int32, remedy: String = "redirect it to a file: > FILE") -> String {
        code == EBADF ? "standard output is closed (\(remedy))" : String(cString: strerror(code))
    }
}
