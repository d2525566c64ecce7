"""A cooperative stop: SIGTERM/SIGINT, or stdin reaching EOF (the parent went away), asks the loop to finish the
step, checkpoint and exit 130. A second signal exits at once."""
import os
import signal
import stat
import sys
import threading


class StopSignal:
    def __init__(self):
        self.reason = None

    @property
    def requested(self):
        return self.reason is not None

    def request(self, reason):
        if self.reason is None:
            self.reason = reason

    def listen(self):
        def on_signal(signum, _frame):
            if self.requested:
                os._exit(130)
            self.request(signal.Signals(signum).name)
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        try:
            mode = os.fstat(sys.stdin.fileno()).st_mode
        except (OSError, ValueError):
            return
        # Only a pipe or socket can tell that the parent went away (/dev/null or a terminal would stop at once or never).
        if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
            threading.Thread(target=self._watch_stdin, daemon=True).start()

    def _watch_stdin(self):
        # os.read on the raw descriptor: a daemon thread blocked inside sys.stdin's buffer would hold its lock at exit.
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        self.request('parent process disconnected')
