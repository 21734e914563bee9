#!/usr/bin/env python3
"""Boot Exospace in QEMU: interactively (`run`, used by scripts/run) or as a test (`test`,
used by ctest). Both build the same QEMU command line; a test boots a private copy of the
GPT disk image, edited with mtools (kernel command line, replaced or broken files), reads
the serial console with a deadline, and decides PASS or FAIL from the exit code and the
expected lines; it can also type lines into the serial port once the guest printed a given
line (--send-after), or press keys on the guest's PS/2 keyboard through QMP (--keys-after).
See docs/testing.md."""

import argparse
import json
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

ESP_OFFSET = 1 << 20  # scripts/mkimage puts the ESP at 1 MiB
EXIT_CODES = {33: "pass", 35: "fail", 37: "panic"}  # kernel/include/dev/qemu_exit.h
ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]")
OVMF_CANDIDATES = ["/usr/share/ovmf/OVMF.fd", "/usr/share/qemu/OVMF.fd"]
KEY_HOLD_MS = 50  # send-key's press-to-release time (QEMU's default is 100 ms)
# QEMU's deterministic mode (docs/performance.md): one guest instruction is one ns of
# virtual time, the idle guest jumps to its next timer instead of sleeping, and the RTC
# follows that clock from a fixed date. rdtsc deltas are then retired guest instructions.
ICOUNT_ARGS = ["-icount", "shift=0,sleep=off", "-rtc", "base=2024-01-01T00:00:00,clock=vm"]


def esp(image):
    return f"{image}@@{ESP_OFFSET}"


def mtools(*args):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    subprocess.run(args, check=True, env=env, stdout=subprocess.DEVNULL)


def esp_read(image, path):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    return subprocess.run(["mtype", "-i", esp(image), "::" + path], check=True, env=env,
                          capture_output=True).stdout


def esp_write(image, path, data, workdir):
    tmp = os.path.join(workdir, "esp-put.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    mtools("mcopy", "-o", "-i", esp(image), tmp, "::" + path)


def with_cmdline(config, cmdline):
    """The boot config with its cmdline line replaced (modules kept)."""
    lines = [l for l in config.decode().splitlines() if not l.strip().startswith("cmdline")]
    return ("cmdline = " + cmdline + "\n" + "\n".join(lines) + "\n").encode()


def with_services(config, services):
    """The boot config with its services line replaced (init starts these apps)."""
    lines = [l for l in config.decode().splitlines() if not l.strip().startswith("services")]
    return ("\n".join(lines) + "\nservices = " + services + "\n").encode()


def mutate_kernel(elf, kind):
    """Broken kernels for the loader's error paths (see test/qemu/CMakeLists.txt)."""
    b = bytearray(elf)
    phoff = struct.unpack_from("<Q", b, 32)[0]
    if kind == "truncated":  # cut inside the second PT_LOAD's file data
        return bytes(b[: struct.unpack_from("<Q", b, phoff + 56 + 8)[0] + 16])
    if kind == "bad-magic":
        b[0:4] = b"\x7fELG"
    elif kind == "wrong-machine":
        struct.pack_into("<H", b, 18, 40)  # EM_ARM
    elif kind == "overlap":  # second PT_LOAD moved onto the first
        struct.pack_into("<Q", b, phoff + 56 + 16, struct.unpack_from("<Q", b, phoff + 16)[0])
    elif kind == "out-of-range":  # first PT_LOAD moved into the lower half
        struct.pack_into("<Q", b, phoff + 16, 0x400000)
    elif kind == "wx":  # first PT_LOAD (text) made writable too
        flags = struct.unpack_from("<I", b, phoff + 4)[0]
        struct.pack_into("<I", b, phoff + 4, flags | 2)
    elif kind == "empty":
        return b""
    else:
        raise SystemExit(f"exoqemu: unknown kernel mutation '{kind}'")
    return bytes(b)


def prepare_image(args, workdir):
    os.makedirs(workdir, exist_ok=True)
    image = os.path.join(workdir, "disk.img")
    shutil.copyfile(args.image, image)
    if args.cmdline is not None:
        cfg = esp_read(image, "/EXOSPACE/BOOT.CFG")
        esp_write(image, "/EXOSPACE/BOOT.CFG", with_cmdline(cfg, args.cmdline), workdir)
    if args.services is not None:
        cfg = esp_read(image, "/EXOSPACE/BOOT.CFG")
        esp_write(image, "/EXOSPACE/BOOT.CFG", with_services(cfg, args.services), workdir)
    if getattr(args, "loader_test", None):
        cfg = esp_read(image, "/EXOSPACE/BOOT.CFG")
        cfg += f"loader_test = {args.loader_test}\n".encode()
        esp_write(image, "/EXOSPACE/BOOT.CFG", cfg, workdir)
    if getattr(args, "kernel_mutation", None):
        if args.kernel_mutation == "missing":
            mtools("mdel", "-i", esp(image), "::/EXOSPACE/KERNEL.ELF")
        else:
            elf = esp_read(image, "/EXOSPACE/KERNEL.ELF")
            esp_write(image, "/EXOSPACE/KERNEL.ELF", mutate_kernel(elf, args.kernel_mutation),
                      workdir)
    return image


def qemu_argv(args, image):
    ovmf = args.ovmf or next((p for p in OVMF_CANDIDATES if os.path.exists(p)), None)
    if ovmf is None:
        raise SystemExit("exoqemu: OVMF not found (apt-get install ovmf)")
    machine = ("q35" + (",hpet=off" if args.no_hpet else "")
               + (",i8042=off" if args.no_i8042 else ""))
    argv = ["qemu-system-x86_64", "-machine", machine, "-m", str(args.mem), "-smp", str(args.smp),
            "-bios", ovmf, "-no-reboot", "-nic", "none",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-drive", f"if=none,id=boot,format=raw,file={image}"]
    if args.kvm:
        argv += ["-accel", "kvm", "-cpu", "host"]
    else:
        argv += ["-accel", "tcg", "-cpu", args.cpu]
    if args.rtc and not args.icount:  # --icount fixes the clock itself
        argv += ["-rtc", f"base={args.rtc}"]
    if args.no_vga:
        argv += ["-vga", "none"]
    if args.icount:
        argv += ICOUNT_ARGS
    if getattr(args, "tpm_socket", None):
        argv += ["-chardev", f"socket,id=chrtpm,path={args.tpm_socket}",
                 "-tpmdev", "emulator,id=tpm0,chardev=chrtpm", "-device", "tpm-tis,tpmdev=tpm0"]
    if args.usb:
        argv += ["-device", "qemu-xhci,id=xhci",
                 "-device", "usb-storage,bus=xhci.0,drive=boot,removable=on"]
    else:
        argv += ["-device", "ide-hd,drive=boot,bootindex=0"]
    return argv


def add_machine_options(p):
    p.add_argument("--image", required=True, help="GPT disk image (build/disk.img)")
    p.add_argument("--cmdline", help="kernel command line (replaces BOOT.CFG's)")
    p.add_argument("--services", help="apps init starts before the shell (replaces BOOT.CFG's "
                                      "services line)")
    p.add_argument("--mem", default="512M")
    p.add_argument("--smp", type=int, default=1)
    p.add_argument("--cpu", default="max", help="TCG CPU model")
    p.add_argument("--usb", action="store_true", help="attach the image as a USB stick")
    p.add_argument("--no-hpet", action="store_true", help="a machine without an HPET")
    p.add_argument("--no-i8042", action="store_true",
                   help="a machine without a PS/2 controller (the FADT says so too)")
    p.add_argument("--no-vga", action="store_true",
                   help="a machine without a display adapter (no GOP framebuffer: serial only)")
    p.add_argument("--kvm", action="store_true", help="use KVM (real machines only)")
    p.add_argument("--ovmf", help="firmware image")
    p.add_argument("--rtc", metavar="DATE",
                   help="start the machine's clock at DATE (UTC, e.g. 2024-02-29T12:34:56)")
    p.add_argument("--icount", action="store_true",
                   help="deterministic mode: " + " ".join(ICOUNT_ARGS) + " (rdtsc deltas are "
                        "retired guest instructions)")
    p.add_argument("--tpm", choices=["off", "on", "auto"], default="off",
                   help="attach a TPM 2.0 emulated by swtpm (tpm-tis); 'auto': if swtpm is "
                        "installed. OVMF under --icount boots about 3x faster with one")


def tpm_start(args, sockdir):
    """Starts swtpm for --tpm (a fresh state in sockdir, gone with it) and sets
    args.tpm_socket; returns the process or None. swtpm ends when QEMU disconnects."""
    args.tpm_socket = None
    if args.tpm == "off" or (args.tpm == "auto" and shutil.which("swtpm") is None):
        return None
    if shutil.which("swtpm") is None:
        raise SystemExit("exoqemu: --tpm on needs swtpm (scripts/deps --bench)")
    state = os.path.join(sockdir, "tpm")
    os.makedirs(state, exist_ok=True)
    sock = os.path.join(sockdir, "swtpm.sock")
    proc = subprocess.Popen(["swtpm", "socket", "--tpm2", "--terminate",
                             "--tpmstate", f"dir={state}", "--ctrl", f"type=unixio,path={sock}"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 10
    while not os.path.exists(sock):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("exoqemu: swtpm did not start")
        time.sleep(0.02)
    args.tpm_socket = sock
    return proc


def tpm_stop(proc):
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cmd_run(args):
    workdir = os.path.join(os.path.dirname(os.path.abspath(args.image)), "run")
    image = prepare_image(args, workdir)
    tpm_start(args, tempfile.mkdtemp(prefix="exoqemu-"))  # swtpm ends with QEMU (--terminate)
    argv = qemu_argv(args, image) + ["-serial", "mon:stdio"]
    if args.headless or not os.environ.get("DISPLAY"):
        argv += ["-display", "none"]
        print("exoqemu: no display; serial console here (Ctrl-A X quits QEMU)", flush=True)
    if args.gdb:
        argv += ["-s", "-S"]
        print("exoqemu: waiting for GDB on :1234; in another terminal: scripts/gdb", flush=True)
    os.execvp(argv[0], argv)


class Verdict(Exception):
    pass


def check_lines(lines, forbids, pending):
    """Matches raw serial lines: a forbidden one fails at once; expected ones are
    consumed in order from pending."""
    for raw in lines:
        line = ANSI.sub("", raw.decode(errors="replace")).rstrip("\r")
        for f in forbids:
            if f.search(line):
                raise Verdict(f"forbidden line: {line!r}")
        if pending and pending[0].search(line):
            pending.pop(0)


def send_input(lines, sends, stdin, log):
    """Types into the guest's serial input: sends[0] = (regex, text) fires on the first
    line matching regex, writing text and a carriage return (a terminal's Enter); the
    sends fire in order, each once."""
    for raw in lines:
        line = ANSI.sub("", raw.decode(errors="replace")).rstrip("\r")
        if sends and sends[0][0].search(line):
            _, text = sends.pop(0)
            log.write(f"[exoqemu: typing {text!r}]\n".encode())
            try:
                stdin.write(text.encode() + b"\r")
                stdin.flush()
            except BrokenPipeError:
                pass  # QEMU is gone: the exit code and the missing lines tell why


class Typist:
    """Types into the guest like a person at a terminal: each step (regex, text) waits until
    the output since the previous step's match (partial lines too: a prompt has no newline)
    matches regex, then types text one byte at a time. The steps fire in order, each once."""

    DELAY = 0.01  # seconds between keys

    def __init__(self, steps, stdin, log):
        self.steps, self.stdin, self.log = list(steps), stdin, log
        self.text, self.pos = "", 0

    def feed(self, chunk):
        self.text += chunk.decode(errors="replace")
        while self.steps:
            regex, keys = self.steps[0]
            m = regex.search(self.text, self.pos)
            if not m:
                return
            self.steps.pop(0)
            self.pos = m.end()
            self.log.write(f"[exoqemu: typing {keys!r}]".encode())
            try:
                for b in keys.encode():
                    self.stdin.write(bytes([b]))
                    self.stdin.flush()
                    time.sleep(self.DELAY)
            except BrokenPipeError:
                pass  # QEMU is gone: the exit code and the missing lines tell why


KEY_NAMES = {"{left}": "\x1b[D", "{right}": "\x1b[C", "{up}": "\x1b[A", "{down}": "\x1b[B",
             "{home}": "\x1b[H", "{end}": "\x1b[F", "{delete}": "\x1b[3~"}


def typed_bytes(text):
    """A --type-after TEXT as the bytes a terminal sends: escapes decoded (\\r Enter, \\x03
    Ctrl-C, \\x01 Ctrl-A) and the named keys of KEY_NAMES ({left}, {up}, ...) turned into
    their escape sequences (a '[' would upset CMake's lists)."""
    text = text.encode("latin-1").decode("unicode_escape")
    for name, seq in KEY_NAMES.items():
        text = text.replace(name, seq)
    return text
def key_combos(keys):
    """'shift-h i spc ret' -> [['shift', 'h'], ['i'], ['spc'], ['ret']]: whitespace separates
    key presses, '-' joins the QEMU key codes (qcodes) held together in one, as in the
    monitor's sendkey."""
    combos = [c.split("-") for c in keys.split()]
    for c in combos:
        if not all(c):
            raise SystemExit(f"exoqemu: bad key combination {'-'.join(c)!r} in {keys!r}")
    return combos


def press_keys(lines, keys, qmp, log):
    """Presses keys on the guest's keyboard: keys[0] = (regex, combos) fires on the first
    line matching regex, one QMP send-key per combination (QEMU presses its keys in order,
    holds them, releases them in reverse; its input queue keeps the commands in order);
    the entries fire in order, each once."""
    for raw in lines:
        line = ANSI.sub("", raw.decode(errors="replace")).rstrip("\r")
        if keys and keys[0][0].search(line):
            _, text, combos = keys.pop(0)
            log.write(f"[exoqemu: pressing keys {text!r}]\n".encode())
            for combo in combos:
                qmp.command("send-key", keys=[{"type": "qcode", "data": k} for k in combo],
                            **{"hold-time": KEY_HOLD_MS})


def psf_glyphs(path):
    """ASCII code point -> glyph rows (ints, MSB = leftmost pixel) of a PSF1/PSF2 font, and
    (width, height). Mirrors kernel/dev/psf.c, written independently to check it."""
    d = open(path, "rb").read()
    if d[:2] == b"\x36\x04":
        mode, charsize = d[2], d[3]
        n, width, height, start, rowbytes = (512 if mode & 1 else 256), 8, charsize, 4, 1
        table = mode & 6
    elif d[:4] == b"\x72\xb5\x4a\x86":
        _, start, flags, n, charsize, height, width = struct.unpack_from("<7I", d, 4)
        rowbytes, table = (width + 7) // 8, flags & 1
    else:
        raise Verdict(f"{path}: not a PSF font")
    glyph = lambda i: [int.from_bytes(d[start + i * charsize + r * rowbytes:][:rowbytes], "big")
                       for r in range(height)]
    mapping = {c: c for c in range(128)} if not table else {}
    pos = start + n * charsize
    for i in range(n if table else 0):
        if d[:2] == b"\x36\x04":
            while True:
                (u,) = struct.unpack_from("<H", d, pos)
                pos += 2
                if u == 0xFFFF:
                    break
                if u < 128:
                    mapping.setdefault(u, i)
        else:
            end = d.index(b"\xff", pos)
            entry = d[pos:end].split(b"\xfe")[0]
            pos = end + 1
            for ch in entry.decode("utf-8", errors="ignore"):
                if ord(ch) < 128:
                    mapping.setdefault(ord(ch), i)
    return {c: glyph(i) for c, i in mapping.items()}, (width, height)


class Qmp:
    """A minimal QMP client (QEMU Machine Protocol, docs/interop/qmp-spec): commands for
    screendumps, and the SHUTDOWN event that tells a guest power-off from a guest reset
    (both end QEMU with exit status 0)."""

    def __init__(self, path, deadline):
        self.sock = socket.socket(socket.AF_UNIX)
        while True:
            try:
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline:
                    raise Verdict("QEMU's QMP socket never appeared")
                time.sleep(0.05)
        self.buf = b""
        self.shutdown_reason = None
        self.read_message()  # the greeting
        self.command("qmp_capabilities")

    def fileno(self):
        return self.sock.fileno()

    def handle(self, msg):
        if msg.get("event") == "SHUTDOWN":
            self.shutdown_reason = msg.get("data", {}).get("reason")

    def read_message(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Verdict("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def poll(self):
        """Reads whatever is there (the socket is readable); False once QEMU closed it."""
        chunk = self.sock.recv(65536)
        if not chunk:
            return False
        self.buf += chunk
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            if line.strip():
                self.handle(json.loads(line))
        return True

    def command(self, name, **arguments):
        msg = {"execute": name}
        if arguments:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self.read_message()
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise Verdict(f"QMP {name}: {reply['error'].get('desc')}")
            self.handle(reply)


def screendump(qmp, out):
    """A PPM screendump through QMP; returns (width, height, rgb bytes)."""
    if os.path.exists(out):
        os.unlink(out)
    qmp.command("screendump", filename=out)
    data = open(out, "rb").read()
    head = data.split(b"\n", 3)
    w, h = map(int, head[1].split())
    if len(head) < 4 or len(head[3]) < w * h * 3:
        raise Verdict("short screendump from QEMU")
    return w, h, head[3]


def screen_has_line(shot, font, text):
    """True if some text row of the screenshot starts with text, pixel for pixel."""
    (w, h, px), (glyphs, (gw, gh)) = shot, font
    lit = lambda x, y: max(px[(y * w + x) * 3:(y * w + x) * 3 + 3]) > 0x40
    for row in range(h // gh):
        if all(all(lit(col * gw + x, row * gh + y) == bool(glyphs[ord(c)][y] >> (gw - 1 - x) & 1)
                   for y in range(gh) for x in range(gw))
               for col, c in enumerate(text)):
            return True
    return False


def run_test(args, log):
    workdir = os.path.join(args.workdir, args.name)
    image = prepare_image(args, workdir)
    sockdir = tempfile.mkdtemp(prefix="exoqemu-")  # AF_UNIX paths must stay short
    qmp_path = os.path.join(sockdir, "qmp.sock")
    tpm = tpm_start(args, sockdir)
    argv = qemu_argv(args, image) + ["-display", "none", "-serial", "stdio", "-monitor",
                                     "none", "-qmp", f"unix:{qmp_path},server=on,wait=off"]
    log.write(("$ " + " ".join(argv) + "\n").encode())
    sends = [(re.compile(r), text) for r, text in args.send_after]
    steps = [(re.compile(r), typed_bytes(text)) for r, text in args.type_after]
    keys = [(re.compile(r), text, key_combos(text)) for r, text in args.keys_after]
    # The guest's serial input is QEMU's stdin: a pipe only when the test types into it.
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE if sends or steps else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + args.timeout
    expects = []
    for path in args.expect_file:  # literal whole lines, in order, before the --expect ones
        with open(path, encoding="utf-8") as f:
            expects += [re.compile("^" + re.escape(l.rstrip("\n")) + "\r?$")
                        for l in f if l.strip()]
    expects += [re.compile(e) for e in args.expect]
    forbids = [re.compile(f) for f in args.forbid]
    pending = list(expects)
    buf = b""
    typist = Typist(steps, proc.stdin, log) if steps else None
    killed = False
    output_ended = False  # QEMU closed its stdout: it is exiting on its own
    qmp = None
    qmp_open = False
    try:
        qmp = Qmp(qmp_path, deadline)
        qmp_open = True
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Verdict(f"timeout after {args.timeout} s (hang?)")
            waiting = [proc.stdout] + ([qmp] if qmp_open else [])
            ready, _, _ = select.select(waiting, [], [], min(left, 1.0))
            if qmp_open and qmp in ready and not qmp.poll():
                qmp_open = False
            if proc.stdout not in ready:
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                output_ended = True
                check_lines([buf], forbids, pending)  # a last line without a newline
                break
            log.write(chunk)
            if typist:
                typist.feed(chunk)
            buf += chunk
            *lines, buf = buf.split(b"\n")
            check_lines(lines, forbids, pending)
            send_input(lines, sends, proc.stdin, log)
            if qmp_open:
                press_keys(lines, keys, qmp, log)
            if not pending and args.exit == "kill":
                if args.screen_line:
                    font = psf_glyphs(args.font)
                    shot = screendump(qmp, os.path.join(workdir, "screen.ppm"))
                    for text in args.screen_line:
                        if not screen_has_line(shot, font, text):
                            raise Verdict(f"framebuffer shows no line starting {text!r}")
                killed = True
                break
    finally:
        if proc.stdin:
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass
        if proc.poll() is None and not output_ended:  # killed, timed out, or a verdict
            os.killpg(proc.pid, signal.SIGKILL)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if qmp_open:  # the SHUTDOWN event may still be in flight
            qmp.sock.settimeout(2)
            try:
                while qmp.poll():
                    pass
            except (OSError, ValueError):
                pass
        tpm_stop(tpm)
        shutil.rmtree(sockdir, ignore_errors=True)
    if sends:
        raise Verdict(f"never typed {sends[0][1]!r}: no line matched /{sends[0][0].pattern}/")
    if typist and typist.steps:
        regex, text = typist.steps[0]
        raise Verdict(f"never typed {text!r}: the output never matched /{regex.pattern}/")
    if keys:
        raise Verdict(f"never pressed {keys[0][1]!r}: no line matched /{keys[0][0].pattern}/")
    if killed:
        seen = f", {len(args.screen_line)} screen line(s) matched" if args.screen_line else ""
        return f"all expected lines seen{seen}; QEMU stopped by the runner"
    code = proc.returncode
    got = EXIT_CODES.get(code)
    seen = (f"missing expected line /{pending[0].pattern}/" if pending
            else "after all expected lines")
    reason = qmp.shutdown_reason if qmp else None
    if code == 0 and reason == "guest-shutdown":
        got = "poweroff"  # the guest powered the machine off (ACPI S5)
    elif code == 0 and reason == "guest-reset" and args.exit == "reset":
        got = "reset"  # a reset the test asked for (-no-reboot turns it into an exit)
    if got is None:
        what = "guest reset or triple fault" if code == 0 else "QEMU error"
        raise Verdict(f"QEMU exited {code}: {what} ({seen})")
    if pending:
        raise Verdict(f"missing expected line /{pending[0].pattern}/ (exit: {got})")
    if args.exit != got:
        raise Verdict(f"exit code {code} ({got}), expected {args.exit}")
    return f"exit {code} ({got}), all expected lines seen"


def cmd_test(args):
    os.makedirs(args.workdir, exist_ok=True)
    log_path = os.path.join(args.workdir, args.name + ".log")
    start = time.monotonic()
    with open(log_path, "wb") as log:
        try:
            detail = run_test(args, log)
            ok = True
        except Verdict as v:
            detail = str(v)
            ok = False
    secs = time.monotonic() - start
    if ok:
        print(f"exoqemu: PASS {args.name} ({secs:.1f} s): {detail}")
        shutil.rmtree(os.path.join(args.workdir, args.name), ignore_errors=True)
        return 0
    print(f"exoqemu: FAIL {args.name} ({secs:.1f} s): {detail}")
    print(f"exoqemu: serial log kept at {log_path}; last lines:")
    with open(log_path, "rb") as f:
        text = ANSI.sub("", f.read().decode(errors="replace"))
    for line in text.splitlines()[-60:]:
        print("  | " + line.rstrip("\r"))
    return 1


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="boot interactively")
    add_machine_options(run)
    run.add_argument("--gdb", action="store_true", help="-s -S: wait for GDB on :1234")
    run.add_argument("--headless", action="store_true", help="no display window")
    test = sub.add_parser("test", help="boot once and check the serial output")
    add_machine_options(test)
    test.add_argument("--name", required=True)
    test.add_argument("--workdir", required=True, help="logs and image copies")
    test.add_argument("--timeout", type=float, default=60)
    test.add_argument("--expect", action="append", default=[],
                      help="regex that must appear, in order (repeatable)")
    test.add_argument("--expect-file", action="append", default=[],
                      help="a file whose every non-empty line must appear as a whole line, "
                           "in order (before the --expect ones)")
    test.add_argument("--forbid", action="append", default=[], help="regex that must not")
    test.add_argument("--exit", choices=["pass", "fail", "panic", "kill", "poweroff", "reset"],
                      default="pass",
                      help="expected end: a debug-exit code, 'poweroff' (ACPI S5), 'reset' "
                           "(a guest reset), or 'kill': stop once every --expect matched")
    test.add_argument("--send-after", nargs=2, action="append", default=[],
                      metavar=("REGEX", "TEXT"),
                      help="once a serial line matches REGEX, type TEXT and Enter (\\r) "
                           "into the guest's serial input (repeatable, in order)")
    test.add_argument("--type-after", nargs=2, action="append", default=[],
                      metavar=("REGEX", "TEXT"),
                      help="once the output since the previous --type-after matches REGEX "
                           "(partial lines too, e.g. a prompt), type TEXT key by key; "
                           "escapes are decoded (\\r Enter, \\x03 Ctrl-C) and {left}, {right}, "
                           "{up}, {down}, {home}, {end}, {delete} are those keys "
                           "(repeatable, in order)")
    test.add_argument("--keys-after", nargs=2, action="append", default=[],
                      metavar=("REGEX", "KEYS"),
                      help="once a serial line matches REGEX, press KEYS on the guest's PS/2 "
                           "keyboard through QMP send-key: QEMU key codes, '-' joining keys "
                           "held together, spaces between presses, e.g. 'shift-h i ret' "
                           "(repeatable, in order; serial input stays empty)")
    test.add_argument("--loader-test", choices=["stale-map-key"],
                      help="add 'loader_test = X' to BOOT.CFG (efi/bootcfg.h)")
    test.add_argument("--screen-line", action="append", default=[],
                      help="with --exit kill: text a framebuffer row must start with")
    test.add_argument("--font", help="the PSF font the kernel embeds (for --screen-line)")
    test.add_argument("--kernel-mutation",
                      choices=["missing", "empty", "truncated", "bad-magic", "wrong-machine",
                               "overlap", "out-of-range", "wx"])
    args = ap.parse_args()
    sys.exit(cmd_run(args) if args.cmd == "run" else cmd_test(args))


if __name__ == "__main__":
    main()
