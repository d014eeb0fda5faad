"""The Jinja environment a template runs in: sandboxed, contained, and bounded.

Imported only when a note is rendered (jinja2 costs start-up time). Every way a template
can build a value passes through a check of `template_sizes` first: operators
(`call_binop`), `~` (the code generator sends it to `check_concat`), calls (`call`),
filters (`guard_filter`), a macro's or block's output (`concat`) and what `{{ }}` prints
(`finalize`); `template_limits` holds the limits and runs the render.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Callable, Collection
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import SandboxedEnvironment

from vaultcrm.cache.codec import code_fingerprint
from vaultcrm.errors import VaultcrmError
from vaultcrm.output.template_limits import BoundedRange, Budget, LimitExceeded
from vaultcrm.output.template_sizes import (
    check_binop,
    check_buffer,
    check_call,
    check_concat,
    check_grown,
    check_output,
    grown_from,
    guard_filter,
)
from vaultcrm.regular import NOT_REGULAR


class ContainedLoader(jinja2.FileSystemLoader):
    """One folder; a template that resolves outside it (a symlink) does not exist."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        candidate = os.path.join(self.searchpath[0], *template.split("/"))
        with contextlib.suppress(OSError):  # absent: jinja2 says so in its own words
            if not stat.S_ISREG(os.stat(candidate).st_mode):  # a FIFO would hang open()
                raise VaultcrmError(f"{candidate}: {NOT_REGULAR}")
        source, filename, uptodate = super().get_source(environment, template)
        base = os.path.realpath(self.searchpath[0])
        if os.path.commonpath([base, os.path.realpath(filename)]) != base:
            raise jinja2.TemplateNotFound(template)
        return source, filename, uptodate


class ForgivingBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates beside the index. Only a cache: a file that cannot be read or
    written there (a full disk, a read-only folder) means the template is compiled
    again, never an error. Paths that are not UTF-8 (a vault named on a Latin-1 system)
    are keyed by their bytes. Compiled code is vaultcrm's as much as the template's (the
    code generator bounds `~`): a change of vaultcrm's code compiles it again."""

    def get_source_checksum(self, source: str) -> str:
        h = hashlib.sha1(source.encode("utf-8", "surrogateescape"), usedforsecurity=False)
        h.update(code_fingerprint().encode())
        return h.hexdigest()

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        h = hashlib.sha1(name.encode("utf-8", "surrogateescape"), usedforsecurity=False)
        if filename is not None:
            h.update(f"|{filename}".encode("utf-8", "surrogateescape"))
        return h.hexdigest()

    def load_bytecode(self, bucket: Any) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Any) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


class BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with `~` measured before it joins (`str_join` is a single
    C call: `x ~ x` doubling in a loop would build gigabytes between two checks)."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write(f"environment.bounded_concat({join}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class RecordSandbox(SandboxedEnvironment):
    """Jinja's sandbox, bounded by `budget`, with a short cut for the records vaultcrm
    hands a template (`records`: the types whose public attributes are plain data)."""

    code_generator_class = BoundedCodeGenerator
    # `*`, `**`, `+` and `%` go through call_binop, which refuses results too big to make
    # (and keeps Jinja from folding them at compile time)
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, budget: Budget, records: Collection[type], **options: Any) -> None:
        super().__init__(finalize=lambda value: check_output(budget, value), **options)
        self.budget = budget
        self.records = frozenset(records)
        self.concat = lambda parts: check_buffer(budget, parts)  # type: ignore[assignment]

    def getattr(self, obj: Any, attribute: str) -> Any:
        # The full check runs several times per listed reflection, which adds up on a
        # big vault. For a public name on these records it can only say yes:
        # none is a function, type, frame or generator, and no attribute holds a
        # str.format. Anything else, underscores included, takes the full check.
        if type(obj) in self.records and attribute[:1] != "_":
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
        return super().getattr(obj, attribute)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        check_binop(self.budget, operator, left, right)
        return self.budget.size(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        args = check_call(__self.budget, __obj, args, kwargs)
        before = grown_from(__obj)
        result = super().call(__context, __obj, *args, **kwargs)
        check_grown(__self.budget, __obj, before)
        return __self.budget.size(result)

    def bounded_concat(self, join: Callable[[Any], str], parts: tuple[Any, ...]) -> str:
        check_concat(self.budget, parts)
        return self.budget.size(join(parts))  # type: ignore[return-value]

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """The template's syntax tree; a literal no note can hold (`'\\ud800'`) is a
        syntax error on its line, before anything runs."""
        tree = super()._parse(source, name, filename)
        for node in tree.find_all(nodes.Const):
            if isinstance(node.value, str) and not node.value.isascii():
                try:
                    node.value.encode("utf-8")
                except UnicodeEncodeError as exc:
                    bad = node.value[exc.start]
                    message = (
                        f"{bad!r} (U+{ord(bad):04X}) is not a character that a note can hold "
                        "(a lone surrogate)"
                    )
                    raise jinja2.TemplateSyntaxError(
                        message, node.lineno, name, filename
                    ) from None
        return tree


def bounded_lipsum(budget: Budget, lipsum: Callable[..., str]) -> Callable[..., str]:
    """Jinja's `lipsum`, refused when asked for more text than a value may hold."""

    def bounded(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002
        if type(n) is int and type(max) is int and n * max * 12 > budget.limits.output:
            raise LimitExceeded(f"lipsum({n}, max={max}) is over the limit")
        return lipsum(n, html, min, max)

    return bounded


def sandbox(
    budget: Budget,
    folders: list[str],
    records: Collection[type],
    filters: dict[str, Any],
    bytecode_cache: Any,
) -> RecordSandbox:
    """The environment: StrictUndefined, templates only from `folders` (first match wins),
    never through a symlink that leaves them; `filters` added to Jinja's own, every one
    of them guarded."""
    env = RecordSandbox(
        budget,
        records,
        bytecode_cache=bytecode_cache,
        loader=jinja2.ChoiceLoader([ContainedLoader(f, followlinks=False) for f in folders]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(filters)
    env.filters.update({name: guard_filter(budget, name, f) for name, f in env.filters.items()})
    env.globals["range"] = lambda *args: BoundedRange(budget, *args)
    env.globals["lipsum"] = bounded_lipsum(budget, env.globals["lipsum"])  # type: ignore[arg-type]
    return env
