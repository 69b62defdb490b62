"""The WAL's checkpoints, off the event's path: a second connection to the file, on a thread of its own.

SQLite copies the WAL back into the database (a checkpoint) by itself when a commit makes it pass
wal_autocheckpoint pages (1,000 by default): inside that commit, with two fsyncs (the WAL, then the database),
so about one event in a hundred waited for the disk, and that was the p99 on a busy disk. The store's own
connection now leaves it to this thread (its wal_autocheckpoint is raised to AUTOCHECKPOINT_NET, a net should
this thread ever stop): every CHECKPOINT_EVERY commits the store pokes it and it runs a PASSIVE checkpoint on its
own connection. A PASSIVE checkpoint never waits for the writer or a reader and never holds them up: it copies
what no reader still needs, and once all of it is copied the next write starts the WAL over from its beginning.

The WAL truncation after erased text (bot.store.sqlite.wal) stays on the store's thread; it takes `lock` first, so it
never meets one of these checkpoints (it would find the file busy and fail).
"""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger(__name__)

CHECKPOINT_EVERY = 100
"""Commits between two checkpoints (an event writes about ten pages: about SQLite's own 1,000 pages)."""
AUTOCHECKPOINT_NET = 10_000
"""The store's connection's own wal_autocheckpoint (pages): only if these checkpoints stopped would it act."""
WAL_RESTART_FRAMES = 4_000
"""Past this many frames (about 16 MB) the writer helps the WAL start over (`Checkpointer.catch_up`)."""


class Checkpointer:
    """PASSIVE checkpoints of the file at `path` on a thread of its own, one per `poke()` (pokes that come
    while one runs make one more, not many)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._wake = threading.Event()
        self._stopping = False
        self._cond = threading.Condition()
        self._asked = self._served = 0  # flush() tickets: asked for, and covered by a finished checkpoint
        self.lock = threading.Lock()
        """Held while a checkpoint runs: the store's WAL truncation takes it too."""
        self.done = 0
        """Checkpoints run so far (tests and the bench look)."""
        self.wal_frames = 0
        """The WAL's length (frames) at the last checkpoint that copied all of them, else 0 (`catch_up`
        looks)."""
        self._caught_up = 0  # the checkpoint (`done`) the last catch_up followed; only the writer touches it
        self._thread = threading.Thread(target=self._work, name="adempauze-checkpoint", daemon=True)
        self._thread.start()

    def catch_up(self, c: sqlite3.Connection) -> None:
        """Right after a commit, on the writer's own connection (the store's): once a checkpoint has copied a
        WAL of WAL_RESTART_FRAMES or more, copy the little written since (a PASSIVE checkpoint: the frames
        of the last few commits, two fsyncs) so that nothing is left to copy and the next write starts the
        WAL over from its beginning. Under steady load the checkpoints on this thread never find such a
        moment (commits go on while they copy), so the WAL grew by megabytes a second, and the truncation
        owed after erased text (bot.store.sqlite.wal) took a millisecond for every 2-3 MB of it, with the write lock
        held: 10-30 ms with every event waiting. Now the WAL stays near WAL_RESTART_FRAMES. At most once per
        checkpoint, and never beside one (it would find the file busy)."""
        if self.wal_frames < WAL_RESTART_FRAMES or self.done == self._caught_up:
            return
        self._caught_up = self.done
        if not self.lock.acquire(blocking=False):  # a checkpoint is running: after the next one
            return
        try:
            c.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as e:  # another process's checkpoint: after the next one
            log.info("WAL catch-up of %s not done: %s", self._path, type(e).__name__)
        finally:
            self.lock.release()

    def poke(self) -> None:
        """Run a checkpoint soon (from any thread; never waits)."""
        self._wake.set()

    def flush(self, timeout: float = 30.0) -> bool:
        """Run a checkpoint now and wait (blocking: call it in a thread) until one that began after this call
        has finished; False if it did not within `timeout` seconds or the thread is gone."""
        with self._cond:
            self._asked += 1
            ticket = self._asked
            self._wake.set()
            return self._cond.wait_for(lambda: self._served >= ticket or not self._thread.is_alive(), timeout) \
                and self._served >= ticket

    def _work(self) -> None:
        try:
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as e:  # the store's own automatic checkpoint (the net) does it then
            log.warning("no checkpoint thread for %s (%s): commits checkpoint by themselves", self._path,
                        type(e).__name__)
            return
        try:
            conn.execute("PRAGMA busy_timeout=0")
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stopping:
                    return
                with self._cond:
                    serving = self._asked
                with self.lock:
                    try:
                        busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    except sqlite3.Error as e:  # busy (another process's checkpoint) or worse: the next poke
                        log.info("checkpoint of %s not done: %s", self._path, type(e).__name__)
                    else:
                        self.wal_frames = frames if not busy and copied == frames else 0
                        self.done += 1
                with self._cond:
                    self._served = serving
                    self._cond.notify_all()
        finally:
            conn.close()
            with self._cond:
                self._cond.notify_all()

    def close(self) -> None:
        """Stop the thread (after the checkpoint it may be running) and close its connection."""
        self._stopping = True
        self._wake.set()
        self._thread.join()
