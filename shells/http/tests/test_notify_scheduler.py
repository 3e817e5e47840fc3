"""portald runs the referring-physician notification scheduler (DIF-3): notifications scheduled
by ingest are run by the server within notify.interval_seconds, without `portal notify run`."""
import json
import subprocess
import time

from conftest import Server, clean_env, make_data_dir


def statuses(cli_bin, data):
    proc = subprocess.run([cli_bin, "--data", str(data), "studies", "--json", "--limit", "150"],
                          capture_output=True, text=True, env=clean_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [s["notification_status"] for s in json.loads(proc.stdout)["studies"]]


def test_portald_runs_due_notifications(tmp_path, portald_bin, cli_bin, studies):
    data = make_data_dir(tmp_path, cli_bin, studies,
                         '[notify]\ninterval_seconds = 1\n'
                         '[[notify.rules]]\nname = "all"\ntrigger = "study_arrived"\ndelay = 0\n')
    before = statuses(cli_bin, data)
    assert before and set(before) == {"scheduled"}
    srv = Server(portald_bin, data)
    try:
        deadline = time.time() + 30  # the server's thread runs every second
        now = before
        while time.time() < deadline and "scheduled" in now:
            time.sleep(0.2)
            now = statuses(cli_bin, data)
        # No account is linked to any referring physician: every notification failed, with why.
        assert set(now) == {"failure"}
    finally:
        assert srv.stop() == 0
