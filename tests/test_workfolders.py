"""Scratch folders of mirror runs: removed on the way out, and swept when their run was killed."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from scormproxy.workfolders import UNLOCKED_GRACE_SECONDS, sweep_dead_folders, work_folder

HOLD = """
import sys, time
from scormproxy.workfolders import work_folder
with work_folder(sys.argv[1]) as folder:
    open(folder + "/package.zip", "wb").write(b"x" * 1000)
    print(folder, flush=True)
    time.sleep(600)
"""


def test_a_folder_is_removed_when_its_run_ends(tmp_path):
    with work_folder(str(tmp_path)) as folder:
        assert os.path.isdir(folder)
    assert not os.path.exists(folder)


def test_a_live_run_keeps_its_folder_and_a_killed_one_loses_it(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        killed_folder = proc.stdout.readline().strip()
        entered, leave = threading.Event(), threading.Event()
        live: list[str] = []

        def run() -> None:
            with work_folder(str(tmp_path)) as folder:
                live.append(folder)
                entered.set()
                leave.wait(30)
        thread = threading.Thread(target=run)
        thread.start()
        entered.wait(10)
        assert sweep_dead_folders(str(tmp_path)) == 0  # both runs alive
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert sweep_dead_folders(str(tmp_path)) == 1
        assert not os.path.exists(killed_folder)
        assert os.path.isdir(live[0])  # the live run of this very process is spared
        leave.set()
        thread.join(10)
    finally:
        proc.kill()
        proc.wait()


def test_a_folder_without_its_lock_file_is_swept_only_when_old(tmp_path):
    young, old = tmp_path / "mirror-young", tmp_path / "mirror-old"
    young.mkdir()
    old.mkdir()
    then = time.time() - UNLOCKED_GRACE_SECONDS - 60
    os.utime(old, (then, then))
    (tmp_path / "other").mkdir()  # not ours
    assert sweep_dead_folders(str(tmp_path)) == 1
    assert young.exists() and not old.exists() and (tmp_path / "other").exists()
    assert sweep_dead_folders(str(tmp_path / "missing")) == 0
