"""Values kept in the cache between requests (counts, suggested names), read back only in the
shape the code expects: the cache may be shared by every process and outlive a deploy, so what it
holds may have been stored by other code, or by no code at all."""

import hashlib
import itertools
import pickle
import types

from django.core.cache import cache
from django.utils.safestring import mark_safe

# Every key is stored under this version (Django's cache versions). Bump it whenever a cached
# value changes shape, so a deploy never reads what the one before it stored. 1, Django's
# default, is what the keys held before they were versioned.
VERSION = 2

# What unpickling a value stored by other code raises: a class since renamed or moved (Attribute-
# or ImportError), one whose constructor changed (TypeError), a newer pickle protocol (ValueError),
# bytes cut short or not a pickle at all.
UNREADABLE = (pickle.UnpicklingError, AttributeError, ImportError, EOFError, TypeError, ValueError)


def kept(key, shape, compute, seconds):
    """The value cached under `key` if it has `shape` (see `has_shape`); if not, `compute()`,
    cached for `seconds`. An unreadable or wrongly shaped value is a miss, and is overwritten."""
    try:
        value = cache.get(key, version=VERSION)
    except UNREADABLE:
        value = None
    if value is None or not has_shape(value, shape):
        value = compute()
        cache.set(key, value, seconds, version=VERSION)
    return value


def drawn_from(name, inputs, render, seconds):
    """The HTML `render()` writes, kept under a digest of `inputs`: everything it is drawn from, so
    that different inputs are a different key and the HTML is never stale. `inputs` must have a
    repr that says all of it (lists, tuples, strings, numbers)."""
    key = f"{name}-{hashlib.sha256(repr(inputs).encode()).hexdigest()}"
    html = read(key, str)
    if html is None:
        html = str(render())
        keep(key, html, seconds)
    return mark_safe(html)  # noqa: S308 (a template's own output, escaped as it was rendered)


def read(key, shape):
    """The value cached under `key` if it has `shape`; None if it is missing, unreadable or wrongly shaped."""
    try:
        value = cache.get(key, version=VERSION)
    except UNREADABLE:
        return None
    return value if value is not None and has_shape(value, shape) else None


def keep(key, value, seconds):
    cache.set(key, value, seconds, version=VERSION)


def forget(key):
    cache.delete(key, version=VERSION)


# A type, or a union of types.
TYPES = (type, types.UnionType)


def has_shape(value, shape):
    """Whether `value` has `shape`: a type, or a union of types (`datetime.date | None`); a tuple of
    shapes, for a tuple of that length; [shape], for a list of such items; or {key shape: value shape},
    for a dict."""
    if isinstance(shape, TYPES):
        return isinstance(value, shape)
    if isinstance(shape, tuple):
        return isinstance(value, tuple) and len(value) == len(shape) and all(map(has_shape, value, shape))
    if isinstance(shape, list):
        return isinstance(value, list) and all_have_shape(value, shape[0])
    [(key_shape, value_shape)] = shape.items()
    return isinstance(value, dict) and all_have_shape(value.keys(), key_shape) and all_have_shape(value.values(), value_shape)


def all_have_shape(items, shape):
    # A type, the shape of most of what is kept (a ranking's thousand numbers, a menu's 250 counts),
    # is tested in C, not a Python call an item.
    if isinstance(shape, TYPES):
        return all(map(isinstance, items, itertools.repeat(shape)))
    return all(has_shape(item, shape) for item in items)
