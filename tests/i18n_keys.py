"""Every translation key the code can ask for, read from the source (tests/test_i18n.py checks them).

A key is the first argument of a call `t(...)`. A literal is a key; `t(f"kpis.tile_{column}")` or `t(key)` is
resolved from the code around the call: the loop or comprehension binding the name (over a literal, a named
constant of the module or one it imports, or a function's parameter, resolved at every call of the
function), an `if name in (...)` guard around the call, or an assignment of a literal. A call inside
`... if i18n.has(key) else ...` has a fallback and needs no key. What cannot be resolved so is looked up
by its template ("kpis.tile_{}") in `known` (the constant lists the values come from); a call found in
neither is reported with its place, so no unchecked key can be added.
"""

from __future__ import annotations

import ast
import importlib
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_DEPTH = 12  # how many hops (parameter -> call site -> ...) one value may take


class Unresolved(Exception):
    pass


@dataclass
class Source:
    path: Path
    tree: ast.Module
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> Source:
        tree = ast.parse(path.read_text(), str(path))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        return cls(path, tree, parents)


def _is_t(func: ast.expr) -> bool:
    return (isinstance(func, ast.Name) and func.id == "t") or (isinstance(func, ast.Attribute) and func.attr == "t")


def _is_has(node: ast.expr) -> bool:
    f = node.func if isinstance(node, ast.Call) else None
    return (isinstance(f, ast.Name) and f.id == "has") or (isinstance(f, ast.Attribute) and f.attr == "has")


def template(node: ast.expr) -> str:
    """The key's shape with every placeholder as {}: `f"kpis.tile_{column}"` -> "kpis.tile_{}"."""
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.Constant):
        return str(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return template(node.left) + template(node.right)
    return "{}"


class Resolver:
    def __init__(self, sources: Sequence[Source], root: Path):
        self.sources, self.root = sources, root
        self.functions: dict[str, list[tuple[Source, ast.FunctionDef]]] = {}
        self.calls: dict[str, list[tuple[Source, ast.Call]]] = {}
        for src in sources:
            for node in ast.walk(src.tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    self.functions.setdefault(node.name, []).append((src, node))
                elif isinstance(node, ast.Call):
                    f = node.func
                    name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
                    if name:
                        self.calls.setdefault(name, []).append((src, node))

    # -- values of an expression at a place ---------------------------------------------------------

    def values(self, src: Source, node: ast.expr, depth: int = 0) -> list[object]:
        """Every value `node` can have (strings, or sequences for what is iterated over)."""
        if depth > _DEPTH:
            raise Unresolved
        if isinstance(node, ast.Constant):
            return [node.value]
        if isinstance(node, ast.JoinedStr):
            parts = []
            for v in node.values:
                if isinstance(v, ast.Constant):
                    parts.append([v.value])
                elif isinstance(v, ast.FormattedValue) and v.format_spec is None and v.conversion == -1:
                    parts.append([str(x) for x in self.values(src, v.value, depth + 1)])
                else:
                    raise Unresolved
            return ["".join(p) for p in itertools.product(*parts)]
        if isinstance(node, ast.IfExp):
            return [*self.values(src, node.body, depth + 1), *self.values(src, node.orelse, depth + 1)]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.values(src, node.left, depth + 1), self.values(src, node.right, depth + 1)
            return [a + b for a in left for b in right]
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            items: list[list[object]] = []
            for elt in node.elts:
                if isinstance(elt, ast.Starred):
                    items.append(list(self.elements(src, elt.value, depth + 1)))
                else:
                    items.append([_Any(self, src, elt, depth + 1)])
            return [tuple(x for part in items for x in part)]
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                raise Unresolved
            keys = [self.values(src, k, depth + 1) for k in node.keys]  # type: ignore[arg-type]
            if any(len(k) != 1 for k in keys):
                raise Unresolved
            return [{k[0]: _Any(self, src, v, depth + 1) for k, v in zip(keys, node.values, strict=True)}]
        if isinstance(node, ast.DictComp) and len(node.generators) == 1 and not node.generators[0].ifs:
            gen = node.generators[0]
            if isinstance(node.key, ast.Name) and isinstance(gen.target, ast.Name) and node.key.id == gen.target.id:
                return [dict.fromkeys(self.elements(src, gen.iter, depth + 1), _OPAQUE)]
            raise Unresolved
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            left, right = self.values(src, node.left, depth + 1), self.values(src, node.right, depth + 1)
            if not all(isinstance(d, dict) for d in (*left, *right)):
                raise Unresolved
            return [a | b for a in left for b in right]  # type: ignore[operator]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("items", "keys")
            and not node.args
        ):
            dicts = self.values(src, node.func.value, depth + 1)
            if not all(isinstance(d, dict) for d in dicts):
                raise Unresolved
            return [tuple(d.items()) if node.func.attr == "items" else tuple(d) for d in dicts]  # type: ignore[union-attr]
        if isinstance(node, ast.Name):
            return self._name(src, node, depth)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            module = self._imported_module(src, node.value.id, node)
            if module is not None:
                return [getattr(importlib.import_module(module), node.attr)]
        raise Unresolved

    def elements(self, src: Source, node: ast.expr, depth: int) -> Iterable[object]:
        """The items a loop over `node` binds."""
        out: list[object] = []
        for seq in self.values(src, node, depth):
            if isinstance(seq, str) or not isinstance(seq, Iterable):
                raise Unresolved
            for item in seq.keys() if isinstance(seq, Mapping) else seq:
                out.append(item.get() if isinstance(item, _Any) else item)
        return out

    def _name(self, src: Source, node: ast.Name, depth: int) -> list[object]:
        name = node.id
        child: ast.AST = node
        parent = src.parents.get(child)
        while parent is not None:
            # an `if name in (...)` guard (statement or expression) whose body holds the node
            if isinstance(parent, ast.If | ast.IfExp) and child is not parent.test:
                in_body = child in (parent.body if isinstance(parent, ast.If) else [parent.body])
                guard = _in_guard(parent.test, name)
                if in_body and guard is not None:
                    return list(self.elements(src, guard, depth + 1))
            # a loop or comprehension binding the name
            gens = (
                parent.generators
                if isinstance(parent, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp)
                else []
            )
            if isinstance(parent, ast.For) and child is not parent.iter:
                gens = [parent]
            for gen in gens:
                index = _bound_at(gen.target, name)
                if index is not None:
                    items = self.elements(src, gen.iter, depth + 1)
                    return [_pick(item, index) for item in items]
            if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef | ast.Module):
                found = self._assigned(src, parent, name, depth, node.lineno)
                if found is not None:
                    return found
                if not isinstance(parent, ast.Module):
                    param = self._parameter(src, parent, name, depth)
                    if param is not None:
                        return param
            child, parent = parent, src.parents.get(parent)
        raise Unresolved

    def _assigned(self, src: Source, scope: ast.AST, name: str, depth: int, line: int) -> list[object] | None:
        """Values of the last `name = ...` of this scope above `line` (the one a straight run reaches), or of
        `from M import name` (a constant)."""
        body = scope.body if isinstance(scope, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef) else []
        last: ast.expr | None = None
        last_line = -1
        for stmt in _own_nodes(body):
            value = None
            if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
                value = stmt.value
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == name:
                value = stmt.value
            elif isinstance(stmt, ast.ImportFrom) and stmt.module and stmt.level == 0:
                for alias in stmt.names:
                    if (alias.asname or alias.name) == name:
                        found = getattr(importlib.import_module(stmt.module), alias.name)
                        if callable(found) or isinstance(found, type(importlib)):
                            raise Unresolved
                        return [found]
            if value is not None and last_line < stmt.lineno < line:
                last, last_line = value, stmt.lineno
        return None if last is None else self.values(src, last, depth + 1)

    def _imported_module(self, src: Source, alias: str, at: ast.AST) -> str | None:
        for stmt in ast.walk(src.tree):
            if isinstance(stmt, ast.Import):
                for a in stmt.names:
                    if (a.asname or a.name) == alias:
                        return a.name
            elif isinstance(stmt, ast.ImportFrom) and stmt.module and stmt.level == 0:
                for a in stmt.names:
                    if (a.asname or a.name) == alias:
                        full = f"{stmt.module}.{a.name}"
                        try:
                            importlib.import_module(full)
                        except ImportError:
                            return None
                        return full
        return None

    def _module_of(self, src: Source) -> str:
        rel = src.path.relative_to(self.root) if src.path.is_relative_to(self.root) else Path(src.path.name)
        parts = list(rel.with_suffix("").parts)
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    def _calls_into(self, call_src: Source, call: ast.Call, module: str, fn_src: Source) -> bool:
        """Whether `call` (a call of a function of the right name) calls the one defined in `module`."""
        f = call.func
        if isinstance(f, ast.Name):
            return (
                call_src is fn_src
                or self._imported_module(call_src, f.id, call) is None
                and any(
                    isinstance(n, ast.ImportFrom) and n.module == module and any(a.name == f.id for a in n.names)
                    for n in ast.walk(call_src.tree)
                )
            )
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
            if f.value.id == "self":
                return call_src is fn_src
            return self._imported_module(call_src, f.value.id, call) == module
        return False

    def _parameter(self, src: Source, fn: ast.FunctionDef, name: str, depth: int) -> list[object] | None:
        """A parameter of `fn`: its values at every call of a function of that name (and its default)."""
        args = [*fn.args.posonlyargs, *fn.args.args]
        names = [a.arg for a in args]
        kwonly = [a.arg for a in fn.args.kwonlyargs]
        if name not in names and name not in kwonly:
            return None
        index = names.index(name) if name in names else None
        if index is not None and names and names[0] in ("self", "cls"):
            index -= 1
        out: list[object] = []
        defaults = dict(zip(names[len(names) - len(fn.args.defaults) :], fn.args.defaults, strict=True))
        defaults |= {a.arg: d for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True) if d is not None}
        if name in defaults:
            out += self.values(src, defaults[name], depth + 1)
        module = self._module_of(src)
        calls = [(cs, c) for cs, c in self.calls.get(fn.name, []) if self._calls_into(cs, c, module, src)]
        if not calls:
            raise Unresolved
        for call_src, call in calls:
            arg = next((k.value for k in call.keywords if k.arg == name), None)
            if arg is None and index is not None and index < len(call.args):
                arg = call.args[index]
                if isinstance(arg, ast.Starred):
                    raise Unresolved
            if arg is None:
                if name not in defaults:
                    raise Unresolved
                continue
            out += self.values(call_src, arg, depth + 1)
        return out


def _own_nodes(body: list[ast.stmt]) -> Iterable[ast.AST]:
    """The nodes of a scope's body, not those of the functions, lambdas and classes defined in it."""
    todo: list[ast.AST] = list(body)
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            todo.extend(ast.iter_child_nodes(node))


class _Any:
    """An element of a literal tuple, evaluated when it is used (a tuple of (widget, "code") pairs)."""

    def __init__(self, resolver: Resolver, src: Source, node: ast.expr, depth: int):
        self.resolver, self.src, self.node, self.depth = resolver, src, node, depth

    def get(self) -> object:
        if isinstance(self.node, ast.Tuple | ast.List):
            return tuple(_Any(self.resolver, self.src, e, self.depth).get() for e in self.node.elts)
        try:
            (value,) = self.resolver.values(self.src, self.node, self.depth)
        except (Unresolved, ValueError):
            return _OPAQUE
        return value


_OPAQUE = object()


def _bound_at(target: ast.expr, name: str) -> tuple[int, ...] | None:
    if isinstance(target, ast.Name):
        return () if target.id == name else None
    if isinstance(target, ast.Tuple | ast.List):
        for i, elt in enumerate(target.elts):
            sub = _bound_at(elt, name)
            if sub is not None:
                return (i, *sub)
    return None


def _pick(item: object, index: tuple[int, ...]) -> object:
    for i in index:
        if isinstance(item, str) or not isinstance(item, Sequence):
            raise Unresolved
        item = item[i]
        if isinstance(item, _Any):
            item = item.get()
    if item is _OPAQUE:
        raise Unresolved
    return item


def _in_guard(test: ast.expr, name: str) -> ast.expr | None:
    if (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == name
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.In)
    ):
        return test.comparators[0]
    return None


def _guarded_by_has(src: Source, call: ast.Call) -> bool:
    child: ast.AST = call
    parent = src.parents.get(child)
    while parent is not None and not isinstance(parent, ast.stmt):
        if isinstance(parent, ast.IfExp) and child is parent.body and _is_has(parent.test):
            return True
        child, parent = parent, src.parents.get(parent)
    return False


def used_keys(paths: Iterable[Path], known: Mapping[str, Iterable[str]], root: Path) -> tuple[set[str], list[str]]:
    """(every key the code can ask for, one line per call whose key could not be resolved)."""
    sources = [Source.read(p) for p in paths]
    resolver = Resolver(sources, root)
    keys: set[str] = set()
    unresolved: list[str] = []
    for src in sources:
        for node in ast.walk(src.tree):
            if not (isinstance(node, ast.Call) and _is_t(node.func) and node.args) or _guarded_by_has(src, node):
                continue
            arg = node.args[0]
            try:
                found = resolver.values(src, arg)
                if not all(isinstance(k, str) for k in found):
                    raise Unresolved
                keys |= set(found)  # type: ignore[arg-type]
            except Unresolved:
                shape = template(arg)
                if shape in known and shape.count("{}") == 1:
                    keys |= {shape.replace("{}", str(v)) for v in known[shape]}
                else:
                    where = f"{src.path.relative_to(root) if src.path.is_relative_to(root) else src.path}:{node.lineno}"
                    unresolved.append(
                        f"{where}: t({ast.unparse(arg)}) - its values cannot be read from the code; iterate over a "
                        f"named constant, or add {shape!r} to KNOWN in tests/test_i18n.py"
                    )
    return keys, unresolved


def problems(keys: set[str], unresolved: list[str], catalogues: Mapping[str, Mapping[str, str]]) -> list[str]:
    """What is wrong: unresolved calls, keys missing in a language, keys only one language has."""
    out = list(unresolved)
    for lang, cat in catalogues.items():
        out += [f"key {k!r} is used in the code but missing in {lang}" for k in sorted(keys - set(cat))]
    langs = list(catalogues)
    for lang in langs:
        others = [o for o in langs if o != lang]
        for k in sorted(catalogues[lang]):
            missing = [o for o in others if k not in catalogues[o]]
            if missing:
                out.append(f"key {k!r} is in {lang} only (missing in {', '.join(missing)})")
    return out
