"""ING-6: nothing acknowledged is lost, even when the ingesting process is killed (SIGKILL).

`portal ingest --results R.jsonl` writes one line per settled file the moment the core reports
it; a "stored" line is a promise that the file and its index row are durable. We kill the
process at random points, re-open the portal, and check every promise against the index
(`portal instances`: SHA-256 of the stored bytes) and the file store (`portal fsck`).

The random points are seeded; the seed is printed. Replay with PORTAL_CRASH_SEED=<seed>.
"""
import hashlib
import json
import os
import random
import signal
import subprocess
import time

import pytest

from conftest import Cli

NUM_FILES = 2000
ROUNDS = 3
MAX_KILL_LINE = 1500  # the first round kills after 1..1500 acknowledged files


@pytest.fixture(scope="module")
def bench(tmp_path_factory, gen_studies):
    """One CT study of NUM_FILES 512x512 instances: (study folder, study manifest, sha by sop)."""
    out = tmp_path_factory.mktemp("bench")
    manifest = gen_studies.generate(str(out), preset="bench", seed=1, ct_instances=NUM_FILES)
    [study] = manifest["studies"]
    assert study["num_instances"] >= NUM_FILES
    sha = {}
    for series in study["series"]:
        for inst in series["instances"]:
            sha[inst["uid"]] = hashlib.sha256((out / inst["file"]).read_bytes()).hexdigest()
    return out / study["path"], study, sha


def read_results(path):
    """The complete lines of a --results file (a kill may cut the last one short)."""
    if not path.exists():
        return []
    text = path.read_text()
    return [json.loads(line) for line in text.split("\n")[:-1] if line]


class StoredCounter:
    """Counts "stored" lines of a growing --results file, reading only what is new."""

    def __init__(self, path):
        self.path, self.offset, self.count, self.tail = path, 0, 0, b""

    def poll(self):
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.offset)
                chunk = fh.read()
        except FileNotFoundError:
            return 0
        self.offset += len(chunk)
        data = self.tail + chunk
        complete, _, self.tail = data.rpartition(b"\n")
        self.count += complete.count(b'"status":"stored"')
        return self.count


def ingest_and_kill(cli, folder, results, kill_after_stored, extra_delay, log_dir):
    """Starts an ingest, waits until `results` acknowledges `kill_after_stored` newly stored
    files, waits a little more, then SIGKILLs it. Returns the exit status (negative signal if it
    was killed)."""
    with open(log_dir / "stdout", "ab") as out, open(log_dir / "stderr", "ab") as err:
        proc = subprocess.Popen(cli.command("ingest", folder, "--results", results),
                                stdout=out, stderr=err, env=cli.env)
    counter = StoredCounter(results)
    try:
        deadline = time.monotonic() + 300
        while proc.poll() is None and counter.poll() < kill_after_stored:
            assert time.monotonic() < deadline, "ingest made no progress"
            time.sleep(0.001)
        if proc.poll() is None:
            time.sleep(extra_delay)  # land anywhere inside the next batch, not just after one
            os.kill(proc.pid, signal.SIGKILL)
        return proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


def check_promises(cli, study, sha, acknowledged):
    """Everything acknowledged is indexed and hash-equal; the store is consistent."""
    fsck = cli.json("fsck", expect=None)
    assert fsck["clean"], f"fsck after the crash: {fsck['issues'][:5]}"
    indexed = {i["sop_uid"]: i for i in cli.json("instances", study["study_uid"])["instances"]}
    missing = sorted(set(acknowledged) - set(indexed))
    assert not missing, f"{len(missing)} acknowledged files are not indexed, e.g. {missing[:3]}"
    for sop, inst in indexed.items():
        assert sop in sha, f"unexpected instance {sop}"
        assert inst["sha256"] == sha[sop], f"{sop}: stored bytes differ from the source file"
    assert fsck["instances_checked"] == fsck["files_checked"] == len(indexed)
    page = cli.json("studies")
    assert page["total"] == 1
    assert page["studies"][0]["num_instances"] == len(indexed)
    return indexed


def test_killed_ingest_loses_nothing_it_acknowledged(portal_bin, tmp_path, bench):
    folder, study, sha = bench
    seed = int(os.environ.get("PORTAL_CRASH_SEED", random.SystemRandom().randrange(2**32)))
    print(f"\ncrash test seed: {seed} (replay with PORTAL_CRASH_SEED={seed})")
    rng = random.Random(seed)

    cli = Cli(portal_bin, tmp_path / "data")
    cli.run("init", expect=0)
    acknowledged = {}  # sop uid -> source, for every "stored" line of every round
    killed_rounds = 0

    for round_no in range(1, ROUNDS + 1):
        results = tmp_path / f"round{round_no}.jsonl"
        # Each round kills somewhere in the files still to store (earlier ones are duplicates).
        still_to_store = len(sha) - len(acknowledged)
        kill_after = rng.randint(1, max(1, min(MAX_KILL_LINE, still_to_store * 3 // 4)))
        delay = rng.uniform(0.0, 0.05)
        status = ingest_and_kill(cli, folder, results, kill_after, delay, tmp_path)
        lines = read_results(results)
        stored = [r for r in lines if r["status"] == "stored"]
        print(f"round {round_no}: kill after {kill_after} stored + {delay * 1000:.0f} ms -> "
              f"exit {status}, {len(lines)} lines, {len(stored)} newly stored")
        if status == -signal.SIGKILL:
            killed_rounds += 1
        else:
            assert status == 0, f"ingest failed: {(tmp_path / 'stderr').read_text()[-2000:]}"
        assert all(r["status"] in ("stored", "duplicate") for r in lines), \
            [r for r in lines if r["status"] == "rejected"][:3]
        for r in stored:
            assert r["sop_uid"] not in acknowledged, f"{r['sop_uid']} stored twice"
            acknowledged[r["sop_uid"]] = r["source"]
        for r in lines:
            if r["status"] == "duplicate":
                assert r["sop_uid"] in sha
        indexed = check_promises(cli, study, sha, acknowledged)
        print(f"  {len(acknowledged)} acknowledged in total, {len(indexed)} indexed")

    assert killed_rounds >= 1, "no round was actually killed; the ingest finished too fast"

    # Run to completion: every file ends up stored exactly once.
    before = set(indexed)
    final = cli.json("ingest", folder, expect=0)
    assert final["rejected"] == 0
    assert final["stored"] + final["duplicates"] == len(sha)
    assert final["stored"] == len(sha) - len(before)
    assert {f["sop_uid"] for f in final["files"] if f["status"] == "duplicate"} == before
    indexed = check_promises(cli, study, sha, acknowledged)
    assert set(indexed) == set(sha)
    listed = cli.json("instances", study["study_uid"])["instances"]
    assert len(listed) == len(sha)  # no instance listed twice

    again = cli.json("ingest", folder, expect=0)
    assert (again["stored"], again["duplicates"], again["rejected"]) == (0, len(sha), 0)
