#!/usr/bin/env python3
"""Time of the review screen's search as a user sees it, in a pseudo-terminal: the first frame,
then for each query the time from pressing Enter after `/query` to the hit message on screen
(the status bar's "Esc ends" or "no hits"), all included (search, opening the article, layout,
terminal output). Queries are 1 to 3 Arabic words taken from the corpus's first articles,
the same for the same seed.

    python3 benches/search.py BIN CORPUS_DIR [--queries 50] [--seed 1] [--no-index]
                              [--size 200x50]

CORPUS_DIR holds samples/ and annotations/; `TADQIQ_INDEX_DIR` is passed on. With the index,
the first query is repeated until the answer no longer says "index updating" (the freshness
pass has ended), and the time that took is printed too. Prints one line:
`first_frame_ms=… settled_ms=… search_median_ms=… search_p95_ms=… search_max_ms=… queries=…`.
"""

import fcntl
import os
import pty
import random
import re
import select
import statistics
import struct
import sys
import termios
import time

WORD = re.compile(r"[\u0621-\u064A]{3,}")


def queries(corpus, n, seed):
    rng = random.Random(seed)
    samples = os.path.join(corpus, "samples")
    names = sorted(f for f in os.listdir(samples)[:2000] if f.endswith(".txt"))[:50]
    words = []
    for name in names:
        with open(os.path.join(samples, name), encoding="utf-8", errors="replace") as f:
            words.append(WORD.findall(f.read()))
    out = []
    while len(out) < n:
        text = rng.choice(words)
        if len(text) < 3:
            continue
        k = rng.randint(1, 3)
        i = rng.randrange(len(text) - k)
        out.append(" ".join(text[i : i + k]))
    return out


class Screen:
    def __init__(self, binary, corpus, cols, rows, no_index):
        self.start = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(corpus)
            os.environ["TADQIQ_ANALYST"] = "bench"
            os.environ["TERM"] = "xterm-256color"
            args = [binary] + (["--no-index"] if no_index else []) + ["review"]
            os.execv(binary, args)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.pid, self.fd = pid, fd

    def read_until(self, needles, timeout=60):
        """Reads until one of `needles` has come and the terminal is quiet for 20 ms; returns
        the time the needle came, and what was read."""
        seen, found = b"", None
        deadline = time.time() + timeout
        while time.time() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.02 if found else 1)
            if not ready:
                if found is not None:
                    return found, seen
                continue
            chunk = os.read(self.fd, 1 << 16)
            seen += chunk
            if b"\x1b[6n" in chunk:
                os.write(self.fd, b"\x1b[1;1R")
            if found is None and any(n in seen for n in needles):
                found = time.perf_counter()
        raise SystemExit(f"nothing of {needles} within {timeout} s")

    def send(self, text):
        os.write(self.fd, text.encode("utf-8"))

    def quit(self):
        self.send("\x1bq")
        try:
            self.read_until([b"\x1b[?1049l"], timeout=5)
        except SystemExit:
            pass
        try:
            os.kill(self.pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def search(screen, query):
    screen.send("/" + query)
    screen.read_until([b"search"], timeout=10)
    time.sleep(0.02)
    sent = time.perf_counter()
    screen.send("\r")
    # Words without spaces: the terminal is sent only the cells that change, and a space that
    # was already there is not sent again.
    at, seen = screen.read_until([b"ends", b"hits"])
    screen.send("\x1b")  # ends the search: the next message differs on screen
    screen.read_until([b"ended"], timeout=10)
    return (at - sent) * 1000, b"updating" in seen


def main():
    args = sys.argv[1:]
    opts = {"--queries": "50", "--seed": "1", "--size": "200x50"}
    for k in list(opts):
        if k in args:
            i = args.index(k)
            opts[k] = args[i + 1]
            del args[i : i + 2]
    no_index = "--no-index" in args
    if no_index:
        args.remove("--no-index")
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    binary, corpus = os.path.abspath(args[0]), args[1]
    cols, rows = (int(x) for x in opts["--size"].split("x"))
    qs = queries(corpus, int(opts["--queries"]), int(opts["--seed"]))
    folder = os.path.join(corpus, "annotations", "gold", "bench")
    created = not os.path.exists(folder)
    screen = Screen(binary, corpus, cols, rows, no_index)
    at, _ = screen.read_until([b"help"])
    first_frame = (at - screen.start) * 1000
    settled = 0.0
    if not no_index:
        while True:
            _, updating = search(screen, qs[0])
            if not updating:
                break
            time.sleep(0.2)
        settled = (time.perf_counter() - screen.start) * 1000
    times = [search(screen, q)[0] for q in qs]
    screen.quit()
    if created:
        lock = os.path.join(folder, ".tadqiq.lock")
        if os.path.exists(lock):
            os.unlink(lock)
        if os.path.isdir(folder) and not os.listdir(folder):
            os.rmdir(folder)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    print(
        f"first_frame_ms={first_frame:.1f} settled_ms={settled:.0f} "
        f"search_median_ms={statistics.median(times):.1f} search_p95_ms={p95:.1f} "
        f"search_max_ms={times[-1]:.1f} queries={len(times)} "
        f"index={'no' if no_index else 'yes'}"
    )


if __name__ == "__main__":
    main()
