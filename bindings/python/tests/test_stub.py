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


def _runtime_params(doc: str) -> list[str]:
    """Parameter names (and '*' for keyword-only) of pybind11's signature line, without self."""
    line = doc.splitlines()[0]
    inner = line[line.index("(") + 1:line.rindex(") -> ")]
    parts, depth, current = [], 0, ""
    for ch in inner:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current.strip())
    names = [p.split(":")[0].split("=")[0].strip() for p in parts]
    return [n for n in names if n != "self"]


def test_stub_methods_have_the_runtime_parameters_in_order():
    tree = ast.parse(STUB.read_text())
    checked = 0
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        runtime_cls = getattr(portal, cls.name)
        if issubclass(runtime_cls, BaseException):
            continue
        for fn in (n for n in cls.body if isinstance(n, ast.FunctionDef)):
            if fn.name.startswith("__") or any(
                    isinstance(d, ast.Name) and d.id in ("property", "overload")
                    for d in fn.decorator_list):
                continue
            stub = [a.arg for a in fn.args.args if a.arg != "self"]
            if fn.args.kwonlyargs:
                stub += ["*"] + [a.arg for a in fn.args.kwonlyargs]
            doc = getattr(runtime_cls, fn.name).__doc__
            assert _runtime_params(doc) == stub, f"{cls.name}.{fn.name}: {doc.splitlines()[0]}"
            checked += 1
    assert checked > 40
