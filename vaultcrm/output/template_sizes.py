"""How big a template's values may grow: every string, list or mapping a sandboxed
operation makes is measured, before it is made wherever its size can be known.

A template can build large values without writing a byte: `~` in a loop, `*`,
`|replace`, `.replace()`, `|join`, `|indent`, `list.extend`, a macro's output. Each of
these is a single C call that no clock can interrupt, so checking the result afterwards
is too late (the gigabytes are already taken) and the time limit cannot stop it. Here:

- `check_binop`, `check_concat`, `check_call`, `guard_filter` refuse an operation whose
  result would pass `Limits.output`, from its operands' sizes, before running it;
- `Budget.size` checks and counts every result, so values kept along the way (a list
  that grows in a loop) add up to at most `Limits.built`;
- `check_output` measures what `{{ x }}` would print before `str(x)` builds it.

Sizes are in characters for text and items for lists and mappings (an item counts as
`Budget.ITEM_WEIGHT` characters in the running total: it costs a pointer at least).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import islice
from typing import Any

from vaultcrm.output.template_limits import Budget, LimitExceeded

_SIZED = (str, bytes, list, tuple, dict, set, frozenset)
_CONTAINERS = (list, tuple, dict, set, frozenset)
_BIG_WIDTH = re.compile(r"\d{8,}")


def text_size(value: Any, limit: int) -> int:
    """About how many characters `str(value)` has, found without building it (for
    containers: their items' sizes, walked until they pass `limit`)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, bytes):
        return 4 * len(value) + 3  # its repr, at worst
    attrs = getattr(value, "_Namespace__attrs", None)  # a namespace prints what it holds
    if isinstance(attrs, dict):
        value = attrs
    elif not isinstance(value, _CONTAINERS):
        return len(str(value))  # numbers, dates, records: bounded by what they hold
    total = 0
    seen: set[int] = set()
    stack: list[Any] = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item) + 4  # quotes and a separator
        elif isinstance(item, bytes):
            total += 4 * len(item) + 5
        elif isinstance(item, _CONTAINERS):
            if id(item) in seen:  # a list holding itself prints as [...]
                total += 5
                continue
            seen.add(id(item))
            total += 2
            if isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            else:
                stack.extend(item)
        else:
            total += len(str(item)) + 2
    return total


def _too_big(size: int, budget: Budget, what: str = "characters", *, least: bool = False) -> None:
    """Refuse a value of `size` (`least`: counted only until it passed the limit)."""
    limit = budget.limits.output
    if size > limit:
        at = "at least " if least else ""
        raise LimitExceeded(f"a value of {at}{size:,} {what} is over the limit of {limit:,}")


# --- operators ---------------------------------------------------------------------------


def _repeat_size(seq: object, times: object) -> int | None:
    if isinstance(seq, _SIZED) and type(times) is int:
        return len(seq) * max(times, 0)  # type: ignore[arg-type]
    return None


def check_binop(budget: Budget, operator: str, left: Any, right: Any) -> None:
    """Refuse, before computing it, a `*`, `**`, `+` or `%` whose result would be too big."""
    ints = type(left) is int and type(right) is int
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            size = _repeat_size(seq, times)
            if size is not None:
                _too_big(size, budget)
        if ints and left.bit_length() + right.bit_length() > budget.limits.int_bits:
            raise LimitExceeded("number too big")
    elif operator == "**":
        big = ints and right > 0 and abs(left) > 1
        if big and right * abs(left).bit_length() > budget.limits.int_bits:
            raise LimitExceeded("number too big")
    elif operator == "+":
        if isinstance(left, _SIZED) and isinstance(right, _SIZED):
            _too_big(len(left) + len(right), budget)
    elif operator == "%" and isinstance(left, str):
        _check_percent(budget, left, right)
    budget.check()


def _check_percent(budget: Budget, pattern: str, args: Any) -> None:
    """`pattern % args` (and `|format`): a width is refused when huge, and each `%`
    counts as the biggest argument."""
    if _BIG_WIDTH.search(pattern):
        raise LimitExceeded("a width that big is over the limit")
    if isinstance(args, Mapping):
        values: Iterable[Any] = args.values()
    else:
        values = args if isinstance(args, tuple) else (args,)
    limit = budget.limits.output
    widest = max((text_size(v, limit) for v in values), default=0)
    _too_big(len(pattern) + pattern.count("%") * widest, budget, least=True)


def check_concat(budget: Budget, parts: Sequence[Any]) -> None:
    """Refuse a `~` whose result would be too big, before it is joined."""
    limit = budget.limits.output
    total = 0
    for part in parts:
        total += len(part) if type(part) is str else text_size(part, limit)
        if total > limit:
            _too_big(total, budget, least=type(part) is not str)
    budget.check()


def check_output(budget: Budget, value: Any) -> Any:
    """What `{{ value }}` prints, measured before `str` makes it (a list holding the same
    10 MB string a million times is a few megabytes, its text terabytes)."""
    if type(value) is not str and (
        isinstance(value, _CONTAINERS) or hasattr(value, "_Namespace__attrs")
    ):
        _too_big(text_size(value, budget.limits.output), budget, least=True)
    return value


def check_buffer(budget: Budget, parts: Iterable[str]) -> str:
    """`"".join(parts)` for a macro's or a block's output, refused when too big."""
    if not isinstance(parts, list):
        parts = list(islice(parts, budget.limits.output + 1))
    _too_big(sum(map(len, parts)), budget)
    text = "".join(parts)
    budget.spend(len(text))
    return text


# --- calls: methods and globals ------------------------------------------------------------


def _items(value: Any, budget: Budget) -> list[Any]:
    """An iterable's items as a list, refused past the limit (a generator is consumed)."""
    if isinstance(value, list):
        return value
    items = list(islice(value, budget.limits.output + 1))
    _too_big(len(items), budget, "items")
    return items


def _replaced_size(text: str | bytes, old: Any, new: Any, count: Any = -1) -> int:
    if not isinstance(old, (str, bytes)) or not isinstance(new, (str, bytes)):
        return len(text)
    hits = len(text) + 1 if not old else text.count(old)  # type: ignore[arg-type]
    if type(count) is int and count >= 0:
        hits = min(hits, count)
    return len(text) + hits * (len(new) - len(old))


def _check_joined(sep: str | bytes, items: list[Any], budget: Budget) -> None:
    """Refuse `sep.join(items)` (items made text as `|join` does) when too big."""
    limit = budget.limits.output
    total = len(sep) * max(len(items) - 1, 0)
    if all(isinstance(item, (str, bytes)) for item in items):
        _too_big(total + sum(map(len, items)), budget)
        return
    for item in items:
        total += len(item) if isinstance(item, (str, bytes)) else text_size(item, limit)
        if total > limit:
            _too_big(total, budget, least=True)


def _format_size(pattern: str, args: Sequence[Any], kwargs: Mapping[str, Any], limit: int) -> int:
    """`pattern.format(...)`: each field counts as the biggest argument."""
    try:
        fields = sum(1 for _, name, _, _ in string.Formatter().parse(pattern) if name is not None)
    except ValueError:
        return len(pattern)  # format itself will say what is wrong
    widest = max((text_size(v, limit) for v in (*args, *kwargs.values())), default=0)
    return len(pattern) + fields * widest


def check_call(budget: Budget, obj: Any, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    """Refuse a call whose result would be too big, before making it; returns the
    arguments to call with (an iterable that had to be counted is passed as a list)."""
    limit = budget.limits.output
    for value in (*args, *kwargs.values()):
        if type(value) is int and value > limit:
            raise LimitExceeded(f"{value:,} is over the limit of {limit:,}")
    name = getattr(obj, "__name__", "")
    # the sandbox hands a template str.format wrapped (`__wrapped__` is the method)
    owner = getattr(getattr(obj, "__wrapped__", obj), "__self__", None)
    if isinstance(owner, (str, bytes)):
        if name == "replace" and len(args) >= 2:
            _too_big(_replaced_size(owner, *args[:3]), budget)
        elif name == "join" and args:
            items = _items(args[0], budget)
            _check_joined(owner, items, budget)
            args = (items, *args[1:])
        elif name == "expandtabs":
            tab = args[0] if args else kwargs.get("tabsize", 8)
            tabs = owner.count("\t") if isinstance(owner, str) else owner.count(b"\t")
            if type(tab) is int:
                _too_big(len(owner) + tabs * tab, budget)
        elif name == "translate" and args and isinstance(args[0], Mapping):
            longest = max(
                (len(v) for v in args[0].values() if isinstance(v, (str, bytes))), default=1
            )
            _too_big(len(owner) * max(longest, 1), budget)
        elif name in ("format", "format_map") and isinstance(owner, str):
            if _BIG_WIDTH.search(owner) or any(
                isinstance(a, str) and _BIG_WIDTH.search(a) for a in args
            ):
                raise LimitExceeded("a width that big is over the limit")
            values = args[0] if name == "format_map" and args else kwargs
            positional = () if name == "format_map" else args
            _too_big(_format_size(owner, positional, values, limit), budget, least=True)
    elif isinstance(owner, list) and name in ("extend", "__iadd__") and args:
        items = _items(args[0], budget)
        _too_big(len(owner) + len(items), budget, "items")
        args = (items, *args[1:])
    elif name == "format" and owner is None:  # str.format reached some other way
        texts = [a for a in args if isinstance(a, str)]
        if any(_BIG_WIDTH.search(t) for t in texts):
            raise LimitExceeded("a width that big is over the limit")
    budget.check()
    return args


def grown_from(obj: Any) -> int | None:
    """The size of the list, mapping or set a method `obj` may grow (`append`, `update`),
    before the call; None for anything else."""
    owner = getattr(obj, "__self__", None)
    return len(owner) if isinstance(owner, (list, dict, set)) else None


def check_grown(budget: Budget, obj: Any, before: int | None) -> None:
    """After such a call: the container may not have grown past the limit, and what it
    gained counts in the running total."""
    if before is None:
        return
    size = len(obj.__self__)
    _too_big(size, budget, "items")
    if size > before:
        budget.spend((size - before) * budget.ITEM_WEIGHT)


# --- filters ------------------------------------------------------------------------------


def _indent_size(limit: int, text: Any, width: Any = 4, *_: Any, **kwargs: Any) -> int:
    if not isinstance(text, str):
        return 0
    width = kwargs.get("width", width)
    pad = width if type(width) is int else len(width) if isinstance(width, str) else 4
    return len(text) + (text.count("\n") + 1) * pad


def _wordwrap_size(
    limit: int, text: Any, width: Any = 79, _b: Any = True, wrapstring: Any = None,
    *_: Any, **kwargs: Any,
) -> int:
    if not isinstance(text, str):
        return 0
    wrapstring = kwargs.get("wrapstring", wrapstring)
    width = kwargs.get("width", width)
    lines = len(text) // max(width if type(width) is int else 79, 1) + text.count("\n") + 1
    return len(text) + lines * len(wrapstring if isinstance(wrapstring, str) else "\n")


def _replace_filter_size(
    limit: int, text: Any, old: Any = "", new: Any = "", count: Any = None
) -> int:
    texts: list[str] = []
    for value in (text, old, new):  # as Jinja's filter makes them text, once measured
        size = text_size(value, limit)
        if size > limit:
            return size
        texts.append(value if isinstance(value, str) else str(value))
    return _replaced_size(texts[0], texts[1], texts[2], -1 if count is None else count)


def _format_filter_size(limit: int, value: Any, *args: Any, **kwargs: Any) -> int:
    if not isinstance(value, str):
        return 0
    if _BIG_WIDTH.search(value):
        raise LimitExceeded("a width that big is over the limit")
    widest = max((text_size(v, limit) for v in (*args, *kwargs.values())), default=0)
    return len(value) + value.count("%") * widest


#: Filters whose result can be far bigger than their input, and how big it would be
#: (from the filter's own arguments, without the environment or context it may take).
_PREDICT: dict[str, Callable[..., int]] = {
    "indent": _indent_size,
    "wordwrap": _wordwrap_size,
    "replace": _replace_filter_size,
    "format": _format_filter_size,
}
#: Filters that turn their value into text: as big as its text (`str` of it).
_AS_TEXT = frozenset({"string", "pprint", "tojson", "xmlattr"})


def guard_filter(budget: Budget, name: str, f: Any) -> Any:
    """Filter `f`, refusing a result past the limits before it is made where its size
    can be known (`_PREDICT`, `join`, `sum`, the text of a container), and counting
    whatever it makes."""
    predict = _PREDICT.get(name)
    as_text = name in _AS_TEXT
    limit = budget.limits.output
    passes = getattr(f, "jinja_pass_arg", None) is not None

    def guarded(*args: Any, **kwargs: Any) -> Any:
        head, rest = (args[:1], args[1:]) if passes else ((), args)
        for value in (*rest[1:], *kwargs.values()):
            if type(value) is int and value > limit:
                raise LimitExceeded(f"{value:,} is over the limit of {limit:,}")
        if rest:
            value = rest[0]
            if predict is not None:
                _too_big(predict(limit, *rest, **kwargs), budget, least=name == "format")
            elif as_text:
                _too_big(text_size(value, limit), budget, least=True)
            elif name == "join" and passes and not isinstance(value, (str, Mapping)):
                items = _items(value, budget)
                sep = rest[1] if len(rest) > 1 else kwargs.pop("d", "")
                attribute = rest[2] if len(rest) > 2 else kwargs.pop("attribute", None)
                if attribute is not None:  # joined as Jinja would: the attribute of each
                    from jinja2.filters import make_attrgetter

                    items = list(map(make_attrgetter(head[0].environment, attribute), items))
                if isinstance(sep, str):
                    _check_joined(sep, items, budget)
                args = (*head, items, sep)
            elif name == "sum" and not isinstance(value, (str, Mapping)):
                items = _items(value, budget)
                start = kwargs.get("start", rest[2] if len(rest) > 2 else 0)
                if isinstance(start, (list, tuple, str)):
                    _too_big(len(start) + sum(len(i) for i in items if isinstance(i, _SIZED)),
                             budget, "items")  # fmt: skip
                args = (*head, items, *rest[1:])
        budget.check()
        return budget.size(f(*args, **kwargs))

    guarded.__name__ = getattr(f, "__name__", name)
    # some take the environment or context first (wordwrap, join): Jinja reads this mark
    if passes:
        guarded.jinja_pass_arg = f.jinja_pass_arg  # type: ignore[attr-defined]
    return guarded
