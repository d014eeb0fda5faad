"""Where templates live: the package's, overridable per vault. Kept apart from render.py
so a `sync` with nothing to do can fingerprint them without loading the renderer."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from vaultcrm.locate import REFLECTIONS_TEMPLATE, package_templates

__all__ = ["REFLECTIONS_TEMPLATE", "package_templates", "template_folders", "template_fingerprint"]

VAULT_TEMPLATES = ".vaultcrm/templates"


def template_folders(root: Path) -> list[Path]:
    """Where templates are looked up, first match wins: the vault's, then the package's."""
    return [root / VAULT_TEMPLATES, package_templates()]


def template_fingerprint(root: Path) -> str:
    """Changes whenever any template that could be used changes (for the no-change check)."""
    h = hashlib.sha256()
    for folder in template_folders(root):
        if not folder.is_dir():
            continue
        for dirpath, _dirs, files in sorted(os.walk(folder)):
            for name in sorted(files):
                st = os.stat(os.path.join(dirpath, name))
                h.update(os.fsencode(f"{dirpath}/{name}:{st.st_mtime_ns}:{st.st_size};"))
    return h.hexdigest()
