"""Shared fixtures for the `portal` Python module tests.

The module is imported from $PORTAL_PYTHONPATH when set (the build dir's bindings/python),
else from <repo>/build/bindings/python or <repo>/build-py/bindings/python. If it cannot be
imported the whole run stops with a clear message instead of skipping tests.
"""

import hashlib
import unicodedata
import importlib
import importlib.util
import os
import pathlib
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
PYDICOM_TEST_FILES = pathlib.Path("/usr/lib/python3/dist-packages/pydicom/data/test_files")


def _import_portal():
    candidates = []
    if os.environ.get("PORTAL_PYTHONPATH"):
        candidates.append(pathlib.Path(os.environ["PORTAL_PYTHONPATH"]))
    else:
        candidates += [REPO / "build" / "bindings" / "python", REPO / "build-py" / "bindings" / "python"]
    for path in candidates:
        if any(path.glob("portal*.so")):
            sys.path.insert(0, str(path))
            break
    try:
        module = importlib.import_module("portal")
    except ImportError as e:
        pytest.exit(
            f"cannot import the `portal` extension module ({e}). Build the target portal_python "
            f"and set PORTAL_PYTHONPATH to <build>/bindings/python (looked in: "
            f"{', '.join(map(str, candidates))}). Interpreter: {sys.executable}",
            returncode=4,
        )
    if not str(getattr(module, "__file__", "")).endswith(".so"):
        pytest.exit(f"imported `portal` from {module.__file__}, not the extension module", returncode=4)
    return module


portal = _import_portal()


def _import_generator():
    path = REPO / "tests" / "data" / "gen_studies.py"
    if not path.exists():
        pytest.exit(f"test data generator missing: {path}", returncode=4)
    spec = importlib.util.spec_from_file_location("gen_studies", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_studies"] = module
    spec.loader.exec_module(module)
    return module


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fold(text: str) -> str:
    """Case- and accent-insensitive form, as the portal's text filters compare names."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def pn_words(pn: str) -> str:
    """A DICOM person name as the portal shows it: '^' separators become spaces."""
    return " ".join(part for part in pn.split("=")[0].split("^") if part)


class Dataset:
    """Generated studies on disk plus their manifest (expected values)."""

    def __init__(self, directory: pathlib.Path, manifest: dict):
        self.dir = directory
        self.manifest = manifest
        self.studies = manifest["studies"]
        self.by_uid = {s["study_uid"]: s for s in self.studies}
        self.files = sorted(p for p in directory.rglob("*.dcm") if p.is_file())

    @property
    def num_instances(self) -> int:
        return sum(s["num_instances"] for s in self.studies)


@pytest.fixture(scope="session")
def dataset(tmp_path_factory) -> Dataset:
    """A small generated data set (kept small so the suite runs in seconds)."""
    gen = _import_generator()
    out = tmp_path_factory.mktemp("studies")
    # today=None: dates relative to the real date, as the portal's clock sees it.
    manifest = gen.generate(str(out), preset="test", seed=1)
    return Dataset(out, manifest)


class Loaded:
    def __init__(self, portal_, session, report):
        self.portal = portal_
        self.session = session
        self.report = report


@pytest.fixture(scope="session")
def loaded(dataset, tmp_path_factory) -> Loaded:
    """One portal holding the whole generated data set, shared by read-only tests."""
    p = portal.open(str(tmp_path_factory.mktemp("loaded") / "data"), durable=False)
    s = p.system_session()
    report = s.ingest(str(dataset.dir))
    return Loaded(p, s, report)


@pytest.fixture
def fresh(tmp_path):
    """An empty portal in a new directory, and its system session."""
    p = portal.open(tmp_path / "data", durable=False)
    return p, p.system_session()
