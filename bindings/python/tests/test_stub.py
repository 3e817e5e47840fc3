"""portal.pyi names exactly what the module exports."""

import ast
import pathlib

from conftest import portal

STUB = pathlib.Path(__file__).resolve().parents[1] / "portal.pyi"


def stub_names():
    tree = ast.parse(STUB.read_text())
    top, members = set(), {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            top.add(node.name)
            members[node.name] = {
                n.name if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) else n.target.id
                for n in node.body
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                or (isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name))
            }
        elif isinstance(node, ast.FunctionDef):
            top.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            top.add(node.target.id)
    return {n for n in top if not n.startswith("_")} | {"__version__"}, members


def module_names():
    return {n for n in dir(portal) if not n.startswith("_")} | {"__version__"}


def test_stub_sits_beside_the_built_module():
    built = pathlib.Path(portal.__file__).with_name("portal.pyi")
    assert built.read_text() == STUB.read_text()


def test_stub_declares_every_public_name_and_nothing_else():
    top, _ = stub_names()
    assert top == module_names()


def test_stub_declares_every_public_member_of_every_class():
    _, members = stub_names()
    for name, declared in members.items():
        cls = getattr(portal, name)
        if issubclass(cls, BaseException):
            continue
        public = {m for m in dir(cls) if not m.startswith("_")}
        assert public == declared - {m for m in declared if m.startswith("_")}, name


def test_stub_signatures_list_the_same_keywords():
    tree = ast.parse(STUB.read_text())
    session = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Session")
    find = next(n for n in session.body if isinstance(n, ast.FunctionDef) and n.name == "find_studies")
    stub_kw = [a.arg for a in find.args.kwonlyargs]
    doc = portal.Session.find_studies.__doc__
    for kw in stub_kw:
        assert f"{kw}:" in doc, kw
    open_fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "open")
    for kw in (a.arg for a in open_fn.args.kwonlyargs):
        assert f"{kw}:" in portal.open.__doc__, kw
