"""The mutation operators of bench/mutants.py: each finds places in a module's syntax tree and
says what small wrong change to make there, as a piece of source text to put in place of a span
of the original (so the rest of the file, comments and line numbers included, stays as it was).

Not mutated: strings, annotations, f-strings, and anything inside a call to a logging function
(what a log line says is not behaviour the tests should pin down).
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass

SKIP_CALLS = {"log", "print", "logger", "logging", "log.info", "log.warning", "log.debug", "log.exception"}
COMPARE_SWAPS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
                 ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}
ARITHMETIC_SWAPS = {ast.Add: [ast.Sub], ast.Sub: [ast.Add], ast.Mult: [ast.Div], ast.Div: [ast.Mult, ast.FloorDiv],
                    ast.FloorDiv: [ast.Div], ast.Mod: [ast.FloorDiv]}
BOOL_SWAPS = {ast.And: ast.Or, ast.Or: ast.And}


@dataclass(frozen=True)
class Mutant:
    path: str  # the module, relative to the tree's root
    line: int
    function: str  # the enclosing function's qualified name, "" at module level
    description: str
    start: tuple[int, int]  # (line, byte column) of the span replaced
    end: tuple[int, int]
    replacement: str

    @property
    def key(self) -> str:
        return f"{self.path}:{self.line}:{self.start[1]}:{self.description}"

    def apply(self, source: bytes) -> bytes:
        lines = source.splitlines(keepends=True)
        offsets = [0]
        for text in lines:
            offsets.append(offsets[-1] + len(text))
        begin = offsets[self.start[0] - 1] + self.start[1]
        stop = offsets[self.end[0] - 1] + self.end[1]
        return source[:begin] + self.replacement.encode() + source[stop:]


def symbol(op) -> str:
    probe = ast.Compare(left=ast.Name("a"), ops=[op()], comparators=[ast.Name("b")]) \
        if isinstance(op(), ast.cmpop) else ast.BinOp(left=ast.Name("a"), op=op(), right=ast.Name("b"))
    return ast.unparse(probe)[2:-2]


def call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return ""


def is_text(node) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def looks_boolean(node) -> bool:
    return isinstance(node, (ast.Compare, ast.BoolOp)) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not))


class Finder(ast.NodeVisitor):
    def __init__(self, path: str):
        self.path, self.found, self.scope = path, [], []

    def add(self, node, description: str, replacement: str, span=None) -> None:
        span = span or node
        self.found.append(Mutant(self.path, node.lineno, ".".join(self.scope), description,
                                 (span.lineno, span.col_offset), (span.end_lineno, span.end_col_offset), replacement))

    def swapped(self, node, change) -> str:
        mutated = copy.deepcopy(node)
        change(mutated)
        return f"({ast.unparse(mutated)})"

    # --- what is not mutated -------------------------------------------------------------------

    def visit_JoinedStr(self, node):
        return

    def visit_arg(self, node):
        return  # its annotation

    def visit_AnnAssign(self, node):
        if node.value is not None:
            self.visit(node.value)

    def visit_Call(self, node):
        name = call_name(node)
        if name in SKIP_CALLS or name.split(".")[0] in {"logger", "logging"}:
            return
        self.generic_visit(node)

    def visit_Expr(self, node):
        if isinstance(node.value, ast.Constant):
            return  # a docstring
        if isinstance(node.value, ast.Call):
            name = call_name(node.value)
            if name not in SKIP_CALLS and name.split(".")[0] not in {"logger", "logging"}:
                self.add(node, f"call `{ast.unparse(node.value.func)}(…)` removed", "pass")
        self.generic_visit(node)

    def visit_If(self, node):
        test = ast.unparse(node.test)
        if test in ("TYPE_CHECKING", '__name__ == "__main__"', "__name__ == '__main__'"):
            return
        self.generic_visit(node)

    def scoped(self, node):
        """Function and class bodies, with the name kept for the report (and --functions)."""
        outside = list(getattr(node, "decorator_list", []))
        if hasattr(node, "args"):
            outside += [d for d in node.args.defaults + node.args.kw_defaults if d is not None]
        for expression in outside:
            self.visit(expression)
        self.scope.append(node.name)
        for statement in node.body:
            self.visit(statement)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = scoped

    # --- the operators ---------------------------------------------------------------------------

    def visit_Compare(self, node):
        for index, op in enumerate(node.ops):
            swap = COMPARE_SWAPS.get(type(op))
            if swap:
                def change(n, index=index, swap=swap):
                    n.ops[index] = swap()
                self.add(node, f"`{symbol(type(op))}` → `{symbol(swap)}`", self.swapped(node, change))
        self.generic_visit(node)

    def visit_BinOp(self, node):
        if not (is_text(node.left) or is_text(node.right)):
            for swap in ARITHMETIC_SWAPS.get(type(node.op), []):
                def change(n, swap=swap):
                    n.op = swap()
                self.add(node, f"`{symbol(type(node.op))}` → `{symbol(swap)}`", self.swapped(node, change))
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        if not is_text(node.value):
            for swap in ARITHMETIC_SWAPS.get(type(node.op), []):
                mutated = copy.deepcopy(node)
                mutated.op = swap()
                self.add(node, f"`{symbol(type(node.op))}=` → `{symbol(swap)}=`", ast.unparse(mutated))
        self.generic_visit(node)

    def visit_BoolOp(self, node):
        swap = BOOL_SWAPS[type(node.op)]
        def change(n):
            n.op = swap()
        names = {ast.And: "and", ast.Or: "or"}
        self.add(node, f"`{names[type(node.op)]}` → `{names[swap]}`", self.swapped(node, change))
        self.generic_visit(node)

    def visit_UnaryOp(self, node):
        if isinstance(node.op, ast.Not):
            self.add(node, "`not` removed", f"({ast.unparse(node.operand)})")
        self.generic_visit(node)

    def visit_Constant(self, node):
        value = node.value
        if isinstance(value, bool):
            self.add(node, f"`{value}` → `{not value}`", f"({not value})")
        elif isinstance(value, (int, float)):
            new = 1 if value == 0 else 0 if value == 1 else value + 1
            self.add(node, f"`{value}` → `{new}`", f"({new})")

    def visit_Return(self, node):
        value = node.value
        if value is not None and not (isinstance(value, ast.Constant) and value.value in (None, True, False)):
            if looks_boolean(value):
                self.add(value, "return value negated", f"(not ({ast.unparse(value)}))")
            else:
                self.add(value, "returns None", "None")
        self.generic_visit(node)

    def visit_Slice(self, node):
        if node.lower is not None:
            self.add(node.lower, "slice start + 1", f"({ast.unparse(node.lower)} + 1)")
        if node.upper is not None:
            self.add(node.upper, "slice stop - 1", f"({ast.unparse(node.upper)} - 1)")
        self.generic_visit(node)


def find(path: str, source: bytes) -> list[Mutant]:
    finder = Finder(path)
    finder.visit(ast.parse(source))
    return sorted(finder.found, key=lambda m: (m.start, m.description))
