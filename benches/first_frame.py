#!/usr/bin/env python3
"""Time from starting `tadqiq review` in a pseudo-terminal to its first complete frame, as a
user sees it: process start, folder listing, lock, schema, first article, layout and the
terminal output, all included. Also the process's peak RSS (by /usr/bin/time) once it quits.

    python3 benches/first_frame.py BIN CORPUS_DIR [--runs N] [--size 160x45]

CORPUS_DIR holds samples/ and annotations/. The frame is complete when the status bar's
"help" hint has been written and the terminal gets nothing more for 50 ms. Prints one line:
`first_frame_ms=<median> min_ms=<min> runs=<n> max_rss_kib=<kib>`.
"""

import fcntl
import os
import pty
import select
import statistics
import struct
import sys
import tempfile
import termios
import time


def one_run(binary, corpus, cols, rows):
    rss_file = tempfile.NamedTemporaryFile(delete=False)
    rss_file.close()
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(corpus)
        os.environ["TADQIQ_ANALYST"] = "bench"
        os.environ["TERM"] = "xterm-256color"
        os.execv(
            "/usr/bin/time",
            ["/usr/bin/time", "-f", "%M", "-o", rss_file.name, binary, "review"],
        )
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    seen = b""
    last = None
    while True:
        ready, _, _ = select.select([fd], [], [], 0.05 if last else 10)
        if not ready:
            if last is not None:
                break
            raise SystemExit("no frame within 10 s")
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if b"help" in seen:
            last = time.perf_counter()
        # A terminal answers queries: crossterm may ask for the cursor position.
        if b"\x1b[6n" in chunk:
            os.write(fd, b"\x1b[1;1R")
    elapsed = (last - start) * 1000
    os.write(fd, b"q")
    deadline = time.time() + 10
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                if not os.read(fd, 1 << 16):
                    break
            except OSError:
                break
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
    else:
        os.kill(pid, 9)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    os.close(fd)
    with open(rss_file.name) as f:
        text = f.read().split()
    os.unlink(rss_file.name)
    rss = int(text[-1]) if text and text[-1].isdigit() else 0
    return elapsed, rss


def main():
    args = sys.argv[1:]
    runs, size = 5, "160x45"
    if "--runs" in args:
        i = args.index("--runs")
        runs = int(args[i + 1])
        del args[i : i + 2]
    if "--size" in args:
        i = args.index("--size")
        size = args[i + 1]
        del args[i : i + 2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    binary, corpus = os.path.abspath(args[0]), args[1]
    cols, rows = (int(x) for x in size.split("x"))
    # The review takes the analyst `bench`'s lock: leave the corpus as it was.
    folder = os.path.join(corpus, "annotations", "gold", "bench")
    created = not os.path.exists(folder)
    one_run(binary, corpus, cols, rows)  # warm the page cache
    times, rss = [], 0
    for _ in range(runs):
        t, r = one_run(binary, corpus, cols, rows)
        times.append(t)
        rss = max(rss, r)
    if created:
        lock = os.path.join(folder, ".tadqiq.lock")
        if os.path.exists(lock):
            os.unlink(lock)
        if os.path.isdir(folder) and not os.listdir(folder):
            os.rmdir(folder)
    print(
        f"first_frame_ms={statistics.median(times):.1f} min_ms={min(times):.1f} "
        f"runs={runs} max_rss_kib={rss}"
    )


if __name__ == "__main__":
    main()
