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


# --- Accounts ------------------------------------------------------------------------------------

# Long enough for the default policy (12 characters) and not in cracklib's dictionary.
PASSWORD = "Correct-Horse-Battery-9"
OTHER_PASSWORD = "Violet-Kettle-Orbit-42"


class Accounts:
    """A portal holding the generated studies, with a first administrator signed in."""

    def __init__(self, portal_, dataset):
        self.portal = portal_
        self.dataset = dataset
        self.system = portal_.system_session()
        self.admin = portal_.sign_in("admin", PASSWORD)
        self._count = 0

    @property
    def data_dir(self) -> pathlib.Path:
        return pathlib.Path(self.portal.data_dir)

    def add(self, profile="referring_physician", **fields):
        """Adds an active account with a fresh login; returns (user, signed-in session)."""
        self._count += 1
        login = fields.pop("login", f"{profile.split('_')[0]}{self._count}")
        user = self.admin.add_user(login, PASSWORD, emails=f"{login}@example.org",
                                   profile=profile, **fields)
        return user, self.portal.sign_in(login, PASSWORD)


def open_accounts_portal(directory, **options):
    """An empty portal that ignores portal.toml and PORTAL_* variables, with a first admin."""
    p = portal.open(directory, durable=False, load_config=False, **options)
    p.create_first_administrator("admin", PASSWORD, emails="admin@example.org",
                                 first_name="Ada", last_name="Admin")
    return p


@pytest.fixture(scope="module")
def accounts(dataset, tmp_path_factory) -> Accounts:
    """One portal per test module holding the generated studies, with accounts."""
    p = open_accounts_portal(tmp_path_factory.mktemp("accounts") / "data")
    report = p.system_session().ingest(str(dataset.dir))
    assert report.stored == dataset.num_instances
    return Accounts(p, dataset)


def spooled_link_token(data_dir, to: str, path: str) -> str:
    """The token of the newest spooled .eml to `to` whose link goes to `path` (deliver_mail
    writes <data>/spool/*.eml by default; the outbox itself only keeps masked bodies)."""
    import email
    import email.policy
    import re

    found = None
    for eml in sorted(pathlib.Path(data_dir, "spool").glob("*.eml")):
        message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        if message["To"] != to:
            continue
        body = message.get_body(preferencelist=("plain",)).get_content()
        match = re.search(re.escape(path) + r"\?token=([0-9A-Za-z_-]+)", body)
        if match:
            found = match.group(1)
    assert found, f"no spooled mail to {to} with a {path} link"
    return found
