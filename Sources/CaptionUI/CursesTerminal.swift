import CCurses
import FoundationEssentials
import Glibc

/// A real terminal driven by ncursesw (wide characters), the app's screen.
///
/// Starts with `setlocale(LC_ALL, "")`, `newterm`, cbreak, noecho, keypad and a hidden
/// cursor; uses the terminal's default colours, and colour pairs only when colour is allowed
/// and the terminal has colours. Call `end()` on every way out (it is idempotent; `deinit`
/// calls it too). Creating one installs the crash handlers (`TerminalSignals`); the app
/// installs the termination handlers and polls `TerminalSignals.terminationRequested`.
/// One instance per process.
public final class CursesTerminal: Terminal {
    private var screen: OpaquePointer?
    private var inputFile: UnsafeMutablePointer<FILE>?
    private var outputFile: UnsafeMutablePointer<FILE>?
    private var pairs: [ColorKey: Int16] = [:]
    private let colorEnabled: Bool
    /// The video attributes this terminal can show (`term_attrs`).
    private var supportedAttributes: attr_t = 0
    private var currentTimeout: Int = -2
    private var ended = false
    /// The terminal modes the screen runs in (cbreak, no echo), as set up.
    private var programModes: termios?
    public let hasColors: Bool
    /// Whether the locale is UTF-8; when it is not (`LANG=C`), ncurses can write only ASCII and
    /// the screen is drawn with `AsciiFallback`.
    public let isUTF8: Bool
    /// The descriptor the screen is written to (for the crash handler's reset sequence).
    public let outputDescriptor: Int32

    private struct ColorKey: Hashable {
        var fg: Int16
        var bg: Int16
    }

    /// Opens the terminal on `input`/`output` descriptors (by default the keyboard, see
    /// `keyboardDescriptor`, and stdout). `termType` overrides `$TERM`; `allowColor` false never
    /// starts colour (nil: colour unless `NO_COLOR` is set).
    public init(input: Int32 = CursesTerminal.keyboardDescriptor ?? STDIN_FILENO, output: Int32 = STDOUT_FILENO,
                termType: String? = nil, allowColor: Bool? = nil) throws(TerminalError) {
        setlocale(LC_ALL, "")
        isUTF8 = captty_locale_is_utf8() != 0
        let allowColor = allowColor
            ?? (ColorMode.detect(environment: ProcessInfo.processInfo.environment, terminalHasColors: true) == .color)
        let term = try Self.checkCanDraw(termType: termType, output: output)
        guard isatty(output) == 1 || output != STDOUT_FILENO else { throw .notATerminal }
        TerminalSignals.saveTerminalModes(input: input, output: output)
        TerminalSignals.installSuspendHandler()   // before newterm: ncurses then installs none
        guard let inFile = fdopen(dup(input), "r"), let outFile = fdopen(dup(output), "w") else {
            TerminalSignals.disarmCrashRestore()
            throw .cannotOpen(term: term, reason: String(cString: strerror(errno)))
        }
        guard let scr = newterm(term, outFile, inFile) else {
            fclose(inFile)
            fclose(outFile)
            TerminalSignals.disarmCrashRestore()
            throw .cannotOpen(term: term, reason: "ncurses does not know this terminal type (check $TERM and the terminfo database)")
        }
        set_term(scr)
        screen = scr
        inputFile = inFile
        outputFile = outFile
        outputDescriptor = output
        cbreak()
        noecho()
        nonl()
        Self.keepCaptionsFlowing(fileno(inFile))
        keypad(captty_stdscr(), true)
        Self.defineCommonKeySequences()
        curs_set(0)
        set_escdelay(25)
        hasColors = has_colors()
        colorEnabled = allowColor && hasColors
        supportedAttributes = term_attrs()
        if colorEnabled {
            start_color()
            use_default_colors()
        }
        var modes = termios()
        if tcgetattr(fileno(inFile), &modes) == 0 { programModes = modes }
        // From here on a crash restores the terminal before the process dies.
        TerminalSignals.installCrashHandlers()
    }

    /// Terminal modes no captioning screen wants: flow control (Ctrl-S froze the captions with
    /// no sign, until Ctrl-Q) and the quit character (Ctrl-\ sent SIGQUIT, and the crash
    /// reporter printed over the captions and held the app for 30 s). Both keys then arrive as
    /// ordinary control keys. Ctrl-C and Ctrl-Z keep their signals. ncurses is told these are
    /// the program's modes, so it keeps them after a suspend or a redraw.
    static func keepCaptionsFlowing(_ fd: Int32) {
        var m = termios()
        guard tcgetattr(fd, &m) == 0 else { return }
        m.c_iflag &= ~tcflag_t(IXON)
        withUnsafeMutableBytes(of: &m.c_cc) { cc in
            if Int(VQUIT) < cc.count { cc[Int(VQUIT)] = 0 }   // _POSIX_VDISABLE on Linux
        }
        if tcsetattr(fd, TCSANOW, &m) == 0 { def_prog_mode() }
    }

    /// Where keys are read from: standard input when it is a terminal, else the controlling
    /// terminal (`/dev/tty`), as `less` and `fzf` do: with audio piped in (`arecord | captty
    /// --file -`) standard input is the audio, and reading keys from it ate audio bytes and
    /// took them for keys (a "q" in the samples quit). Nil when there is no terminal to read.
    public static let keyboardDescriptor: Int32? = {
        if isatty(STDIN_FILENO) == 1 { return STDIN_FILENO }
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { return nil }
        guard isatty(fd) == 1 else { close(fd); return nil }
        return fd
    }()

    /// Checks, from the terminfo database only (nothing is written), that the terminal type
    /// (`termType`, else `$TERM`) is set, known and can move the cursor; returns it. Run before
    /// anything else starts, so that a terminal the screen cannot be drawn on is a clear error
    /// rather than a screen of debris (`TERM=dumb`).
    @discardableResult
    public static func checkCanDraw(termType: String? = nil, output: Int32 = STDOUT_FILENO) throws(TerminalError) -> String {
        let term = termType ?? ProcessInfo.processInfo.environment["TERM"]
        guard let term, !term.isEmpty else { throw .noTerminalType }
        switch captty_terminal_can_draw(term, output) {
        case 1: return term
        case 0: throw .cannotMoveCursor(term: term)
        default:
            throw .cannotOpen(term: term, reason: "ncurses does not know this terminal type (check $TERM and the terminfo database)")
        }
    }

    deinit { end() }

    /// Leaves the screen (`end()`) but keeps the terminal modes someone else set meanwhile:
    /// when the supervisor was killed an interactive shell took the terminal back and set its
    /// line editor's modes, and restoring captty's saved ones under it made typed lines echo
    /// twice. Modes still the screen's own (a script's shell, which sets none, went on with
    /// its next command) are restored as `end()` does: they were left without echo.
    public func endKeepingCurrentModes() {
        guard !ended, let file = inputFile else { end(); return }
        let tty = dup(fileno(file))   // the screen's own descriptor closes with it
        var modes = termios()
        let saved = tty >= 0 && tcgetattr(tty, &modes) == 0
        let untouched = saved && programModes.map { Self.sameModes($0, modes) } == true
        end()
        if saved && !untouched { tcsetattr(tty, TCSANOW, &modes) }
        if tty >= 0 { close(tty) }
    }

    /// Whether two sets of terminal modes are the same (flags and control characters).
    static func sameModes(_ a: termios, _ b: termios) -> Bool {
        var a = a, b = b
        let cc = withUnsafeBytes(of: &a.c_cc) { x in withUnsafeBytes(of: &b.c_cc) { y in x.elementsEqual(y) } }
        return cc && a.c_iflag == b.c_iflag && a.c_oflag == b.c_oflag && a.c_cflag == b.c_cflag && a.c_lflag == b.c_lflag
    }

    /// Ctrl-Z, on the UI thread (no other thread draws): leaves the screen with the shell's
    /// modes, stops the process as SIGTSTP's default would, and once continued (`fg`) takes the
    /// screen back with the program's modes. The caller repaints everything.
    public func suspend() {
        guard !ended else { return }
        endwin()
        if let f = outputFile { fflush(f) }
        TerminalSignals.stopAsCtrlZWould()
        TerminalSignals.installSuspendHandler()
        // A Ctrl-Z that came (forwarded) while leaving the screen is answered by this stop.
        _ = TerminalSignals.takeSuspendRequest()
        reset_prog_mode()
        wclear(captty_stdscr())
        wrefresh(captty_stdscr())
    }

    /// Restores the terminal (endwin) and frees the screen; safe to call more than once.
    public func end() {
        guard !ended, let scr = screen else { return }
        ended = true
        // Without an alternate screen (TERM=linux, vt100) the last frame stayed on the terminal
        // after quitting, under the shell's prompt: cleared, as leaving the alternate screen does.
        if captty_has_alternate_screen() == 0 {
            wclear(captty_stdscr())
            wrefresh(captty_stdscr())
        }
        endwin()
        TerminalSignals.disarmCrashRestore()
        TerminalSignals.removeSuspendHandler()
        delscreen(scr)
        screen = nil
        if let f = inputFile { fclose(f) }
        if let f = outputFile { fclose(f) }
        inputFile = nil
        outputFile = nil
    }

    public var size: TerminalSize {
        guard !ended else { return TerminalSize(width: 0, height: 0) }
        let win = captty_stdscr()
        return TerminalSize(width: Int(captty_getmaxx(win)), height: Int(captty_getmaxy(win)))
    }

    public func put(_ text: String, row: Int, col: Int, style: TextStyle) {
        guard !ended else { return }
        let text = isUTF8 ? text : AsciiFallback.ascii(text)
        var wide = text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
        wide.append(0)
        let pair = colorPair(for: style)
        _ = wide.withUnsafeBufferPointer { buf in
            captty_put(Int32(row), Int32(col), buf.baseAddress, Int32(buf.count - 1), attributes(style), pair)
        }
    }

    public func clear() {
        guard !ended else { return }
        wclear(captty_stdscr())
    }

    public func refresh() {
        guard !ended else { return }
        wrefresh(captty_stdscr())
    }

    public func readKey(timeoutMilliseconds: Int) -> KeyInput? {
        guard !ended else { return nil }
        if timeoutMilliseconds != currentTimeout {
            wtimeout(captty_stdscr(), Int32(timeoutMilliseconds))
            currentTimeout = timeoutMilliseconds
        }
        var code: Int32 = 0
        let start = Renderer.monotonicSeconds()
        let checkedBefore = problemCheckedAt
        if start - problemCheckedAt >= 1, let f = inputFile {
            // Not in the foreground, reads do not fail until a key is typed: looked at now and then.
            problemCheckedAt = start
            keyboardProblem = Self.problem(fileno(f))
        }
        let rc = captty_get_key(&code)
        if rc == captty_key_code_yes() { return Self.keyFromCode(code) }
        if rc == captty_ok() { return Self.keyFromCharacter(code) }
        // An input at end of file or hung up (stdin from /dev/null, no terminal left) fails at
        // once instead of waiting: wait out the timeout, or the app's loop spins a CPU.
        let left = Double(timeoutMilliseconds) / 1000 - (Renderer.monotonicSeconds() - start)
        if left > 0.002 {
            // Looked at once per call: the check above may just have done it.
            if problemCheckedAt == checkedBefore { keyboardProblem = inputFile.flatMap { Self.problem(fileno($0)) } }
            usleep(useconds_t(left * 1_000_000))
        }
        return nil
    }

    /// Why keys cannot be read (nil when they can): looked at when a read fails at once, and
    /// once a second.
    public private(set) var keyboardProblem: KeyboardProblem?
    private var problemCheckedAt = -Double.infinity

    /// Why reading `fd` fails: hung up, or not the foreground process group (nil: neither).
    static func problem(_ fd: Int32) -> KeyboardProblem? {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        if poll(&p, 1, 0) == 1, p.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return .hungUp }
        let group = tcgetpgrp(fd)
        if group < 0 { return errno == ENOTTY || errno == EBADF ? .hungUp : nil }
        return group != getpgrp() ? .notForeground : nil
    }

    /// The sequences terminals commonly send for the keys the app uses, by key code. Terminfo
    /// often describes a different terminal than the one in use: TERM=vt100 (a common "safe"
    /// choice) defines no PgUp, PgDn, Home or End at all; TERM=xterm inside tmux or screen gets
    /// `ESC [ 1 ~` for Home, which xterm's entry spells `ESC O H`. Unknown sequences arrived as
    /// Esc plus stray characters, so the keys did nothing (no scrolling back).
    static let commonKeySequences: [(String, Int32)] = [
        ("\u{1B}[5~", captty_key_ppage()), ("\u{1B}[6~", captty_key_npage()),
        ("\u{1B}[1~", captty_key_home()), ("\u{1B}[7~", captty_key_home()), ("\u{1B}[H", captty_key_home()), ("\u{1B}OH", captty_key_home()),
        ("\u{1B}[4~", captty_key_end()), ("\u{1B}[8~", captty_key_end()), ("\u{1B}[F", captty_key_end()), ("\u{1B}OF", captty_key_end()),
        ("\u{1B}[A", captty_key_up()), ("\u{1B}OA", captty_key_up()), ("\u{1B}[B", captty_key_down()), ("\u{1B}OB", captty_key_down()),
        ("\u{1B}[C", captty_key_right()), ("\u{1B}OC", captty_key_right()), ("\u{1B}[D", captty_key_left()), ("\u{1B}OD", captty_key_left()),
        ("\u{1B}OP", captty_key_f(1)), ("\u{1B}[11~", captty_key_f(1)), ("\u{1B}[[A", captty_key_f(1)),
        ("\u{1B}[3~", captty_key_dc()), ("\u{1B}[2~", captty_key_ic()),
    ]

    /// Teaches ncurses the `commonKeySequences` its terminfo entry lacks (never redefining one
    /// the entry has, or one that would clash with it).
    private static func defineCommonKeySequences() {
        for (sequence, code) in commonKeySequences where key_defined(sequence) == 0 {
            define_key(sequence, code)
        }
    }

    /// Maps an ncurses key code (KEY_*) to a key.
    static func keyFromCode(_ code: Int32) -> KeyInput? {
        switch code {
        case captty_key_resize(): return .resize
        case captty_key_ppage(): return .pageUp
        case captty_key_npage(): return .pageDown
        case captty_key_home(): return .home
        case captty_key_end(): return .end
        case captty_key_up(): return .up
        case captty_key_down(): return .down
        case captty_key_left(): return .left
        case captty_key_right(): return .right
        case captty_key_enter(): return .enter
        case captty_key_backspace(): return .backspace
        case captty_key_dc(): return .delete
        case captty_key_ic(): return .insert
        default:
            for n in 1...24 where code == captty_key_f(Int32(n)) { return .function(n) }
            return nil
        }
    }

    /// Maps a character read in cbreak mode to a key.
    static func keyFromCharacter(_ code: Int32) -> KeyInput? {
        switch code {
        case 0x1B: return .escape
        case 0x0D, 0x0A: return .enter
        case 0x09: return .tab
        case 0x7F, 0x08: return .backspace
        case 0x01...0x1A: return .control(Character(Unicode.Scalar(UInt8(0x60 + code))))
        default:
            guard code >= 0x20, let scalar = Unicode.Scalar(UInt32(code)) else { return nil }
            return .character(Character(scalar))
        }
    }

    private func attributes(_ style: TextStyle) -> attr_t {
        var a = captty_a_normal()
        if style.attributes.contains(.bold) { a |= captty_a_bold() }
        if style.attributes.contains(.dim) { a |= captty_a_dim() }
        if style.attributes.contains(.italic) { a |= captty_a_italic() }
        // A terminal with neither dim nor italic (vt100) drew the interim guess like final text:
        // underline stands in, so that the two stay distinct.
        if style.attributes.contains(.italic) || style.attributes.contains(.dim),
           supportedAttributes & (captty_a_dim() | captty_a_italic()) == 0 {
            a |= captty_a_underline()
        }
        if style.attributes.contains(.reverse) { a |= captty_a_reverse() }
        if style.attributes.contains(.underline) { a |= captty_a_underline() }
        return a
    }

    /// The colour pair for a style, allocated on first use; 0 (default colours) without colour.
    private func colorPair(for style: TextStyle) -> Int16 {
        guard colorEnabled, style.hasColor else { return 0 }
        let key = ColorKey(fg: Int16(style.foreground?.rawValue ?? -1), bg: Int16(style.background?.rawValue ?? -1))
        if let p = pairs[key] { return p }
        let next = Int16(pairs.count + 1)
        guard Int32(next) < captty_color_pairs() else { return 0 }
        init_pair(next, key.fg, key.bg)
        pairs[key] = next
        return next
    }
}
