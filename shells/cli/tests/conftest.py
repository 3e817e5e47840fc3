"""Fixtures for the `portal` CLI tests: the binary under test, a runner, generated studies."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "tests" / "data"))

PYDICOM_TEST_FILES = pathlib.Path("/usr/lib/python3/dist-packages/pydicom/data/test_files")


class Cli:
    """Runs the `portal` binary against one data directory, with a clean environment."""

    def __init__(self, binary, data_dir):
        self.binary = str(binary)
        self.data_dir = str(data_dir)
        self.env = {k: v for k, v in os.environ.items() if k != "PORTAL_DATA"}

    def command(self, *args, data=True):
        argv = [self.binary]
        if data:
            argv += ["--data", self.data_dir]
        return argv + [str(a) for a in args]

    def run(self, *args, data=True, expect=None, timeout=600):
        proc = subprocess.run(self.command(*args, data=data), capture_output=True, text=True,
                              env=self.env, timeout=timeout)
        if expect is not None:
            assert proc.returncode == expect, (
                f"portal {' '.join(map(str, args))}: exit {proc.returncode}, expected {expect}\n"
                f"stdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-4000:]}")
        return proc

    def json(self, *args, expect=0, **kw):
        proc = self.run(*args, "--json", expect=expect, **kw)
        return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def portal_bin():
    path = os.environ.get("PORTAL_CLI")
    if not path:
        pytest.fail("set PORTAL_CLI to the built `portal` binary (e.g. build/shells/cli/portal)")
    path = pathlib.Path(path).resolve()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"PORTAL_CLI={path} is not an executable file")
    return path


@pytest.fixture(scope="session")
def gen_studies():
    import gen_studies as module
    return module


@pytest.fixture(scope="session")
def test_studies(tmp_path_factory, gen_studies):
    """The generator's "test" preset, written once: (folder, manifest)."""
    out = tmp_path_factory.mktemp("studies")
    manifest = gen_studies.generate(str(out), preset="test", seed=1)
    return out, manifest


@pytest.fixture
def cli(tmp_path, portal_bin):
    """A Cli on a fresh, initialised data directory."""
    c = Cli(portal_bin, tmp_path / "data")
    c.run("init", expect=0)
    return c


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, portal_bin, test_studies):
    """A Cli on a data directory holding the ingested test studies (read-only tests share it)."""
    folder, manifest = test_studies
    c = Cli(portal_bin, tmp_path_factory.mktemp("loaded") / "data")
    c.run("init", expect=0)
    report = c.json("ingest", *[folder / s["path"] for s in manifest["studies"]], expect=0)
    return c, manifest, report
