"""Where things are: which folder is the vault (the one rule every command shares), where
vaultcrm keeps its own files (the index, compiled templates), and the package's own
templates. Kept import-light for `log`."""

from __future__ import annotations

import os
from pathlib import Path

from vaultcrm.errors import VaultcrmError

#: Marks a vault root, with Obsidian's `.obsidian/` folder.
CONFIG_FILE = "vaultcrm.yaml"


def find_vault(explicit: str | os.PathLike[str] | None, cwd: Path | None = None) -> Path:
    """`--vault`, else `VAULTCRM_VAULT`, else the nearest parent holding `vaultcrm.yaml` or
    `.obsidian/`, else the working directory."""
    chosen = explicit or os.environ.get("VAULTCRM_VAULT")
    if chosen:
        root = Path(chosen).expanduser()
        if not root.is_dir():
            raise VaultcrmError(f"vault folder not found: {root}")
        return root.resolve()
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file() or (folder / ".obsidian").is_dir():
            return folder
    return start


def cache_dir() -> Path:
    """`VAULTCRM_CACHE_DIR`, else the user cache dir (never inside the vault)."""
    override = os.environ.get("VAULTCRM_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("vaultcrm", appauthor=False))


#: The generated note's template (the file the package ships and a vault may override).
REFLECTIONS_TEMPLATE = "reflections.md.j2"


def package_templates() -> Path:
    """The templates folder: inside the installed package (`vaultcrm/templates`), or the
    source checkout's (beside the package)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / REFLECTIONS_TEMPLATE).is_file():
            return candidate
    raise FileNotFoundError("vaultcrm's templates folder is missing from the installation")
