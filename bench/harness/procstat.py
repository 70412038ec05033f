"""What a server costs, read from /proc: memory of its process tree, CPU
time, and the memory an idle keep-alive connection holds."""
import http.client
import os
import threading
import time

PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def _children(pid):
    kids = []
    try:
        for task in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, task)) as f:
                kids.extend(int(k) for k in f.read().split())
    except OSError:
        pass
    return kids


def tree(pid):
    """pid and all its descendants (gunicorn's and nginx's workers)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(_children(p))
    return found


def rss_kib(pids):
    """Resident set size summed over the processes, in KiB.  Pages shared
    by forked workers count once per process, as `ps` would show them."""
    total = 0
    for p in pids:
        try:
            with open("/proc/%d/statm" % p) as f:
                total += int(f.read().split()[1]) * PAGE // 1024
        except OSError:
            pass
    return total


def pss_kib(pids):
    """Proportional set size summed over the processes, in KiB: shared pages
    split between their sharers, so a multi-process server is not counted
    twice."""
    total = 0
    for p in pids:
        try:
            with open("/proc/%d/smaps_rollup" % p) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def cpu_seconds(pids):
    """User plus system CPU time of the processes (and their reaped
    children), in seconds."""
    total = 0
    for p in pids:
        try:
            with open("/proc/%d/stat" % p) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            # utime, stime, cutime, cstime: fields 14-17 of stat(5)
            total += sum(int(x) for x in fields[11:15])
        except OSError:
            pass
    return total / TICKS


class MemorySampler:
    """Samples the RSS and PSS of a process tree in the background; the
    peaks are read when it stops."""

    def __init__(self, pid, interval=0.1):
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            pids = tree(self.pid)
            self.peak_rss = max(self.peak_rss, rss_kib(pids))
            self.peak_pss = max(self.peak_pss, pss_kib(pids))
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def idle_connections(pid, port, path, count, settle=1.0):
    """Open `count` keep-alive connections, make one request on each, leave
    them idle, and measure what the server holds for them.

    Returns (held, kib_per_connection): how many connections the server kept
    open (a server without keep-alive closes them) and the growth of its RSS
    divided by that number (None when it held none)."""
    time.sleep(settle)   # let the server release what the load before left
    before = rss_kib(tree(pid))
    conns = []
    try:
        for _ in range(count):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path)
            conn.getresponse().read()   # closes conn.sock when the server does
            conns.append(conn)
        time.sleep(settle)
        after = rss_kib(tree(pid))
        held = sum(1 for c in conns if c.sock is not None and _still_open(c.sock))
    finally:
        for c in conns:
            c.close()
    return held, ((after - before) / held if held else None)


def _still_open(sock):
    sock.setblocking(False)
    try:
        return sock.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
