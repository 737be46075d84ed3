"""An executed notebook's outputs: size caps, the figures it published, and a thumbnail.

Examples
--------
>>> nb = {"cells": [{"cell_type": "code", "outputs": [
...     {"output_type": "stream", "name": "stdout", "text": "x" * 50}]}]}
>>> cap_outputs(nb, cap=10)
1
>>> nb["cells"][0]["outputs"][0]["text"].startswith("xxxxxxxxxx")
True
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from .._published import published

__all__ = ["OUTPUT_CAP", "cap_outputs", "collect_figures", "relative_paths"]

#: Characters of text one output may keep (per MIME type); the rest is cut with a visible note.
OUTPUT_CAP = 2_000_000

_RASTER = (".png", ".jpg", ".jpeg", ".gif", ".webp")
_IMAGE = (*_RASTER, ".svg")
_TEXT_MIME = ("text/plain", "text/html", "text/markdown", "text/latex", "image/svg+xml",
              "application/javascript")


_MARK = "[output truncated by sco-research render:"


def _note(kept: int, size: int) -> str:
    return (f"\n{_MARK} {size:,} characters, the first "
            f"{kept:,} are kept]\n")


def _cut(text: Any, cap: int) -> tuple[Any, bool]:
    joined = "".join(text) if isinstance(text, list) else text
    if not isinstance(joined, str) or len(joined) <= cap or _MARK in joined[cap:]:
        return text, False
    return joined[:cap] + _note(cap, len(joined)), True


def cap_outputs(nb: Any, cap: int | None = None) -> int:
    """Cut every text output longer than ``cap`` characters, in place; return how many were cut.

    Stream text and text MIME types (plain, HTML, SVG, ...) are cut and end with a visible note;
    an HTML output is replaced by the note alone, since half an HTML document is not valid.
    """
    cap = OUTPUT_CAP if cap is None else int(cap)
    count = 0
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) or []:
            if output.get("output_type") == "stream":
                output["text"], cut = _cut(output.get("text", ""), cap)
                count += cut
                continue
            data = output.get("data") or {}
            for mime in list(data):
                value = data[mime]
                if mime not in _TEXT_MIME or not isinstance(value, (str, list)):
                    continue
                if mime == "text/html" and _MARK in "".join(value):
                    continue
                new, cut = _cut(value, cap)
                if cut:
                    count += 1
                    size = len("".join(value) if isinstance(value, list) else value)
                    data[mime] = f"<p>{_note(0, size).strip()}</p>" if mime == "text/html" \
                        else new
            for key in ("text", "evalue"):
                if isinstance(output.get(key), str):
                    output[key], cut = _cut(output[key], cap)
                    count += cut
    return count


def _thumbnail(source: Path, stage: Path) -> str | None:
    try:
        from PIL import Image

        with Image.open(source) as im:
            opaque = (im.mode in ("RGB", "P", "L") and "transparency" not in im.info) or (
                im.mode == "RGBA" and im.getextrema()[3][0] == 255)
            im = im.convert("RGB") if opaque else im.convert("RGBA")
            im.thumbnail((480, 320))
            if opaque:  # a 256-colour palette: a third of the size, the same look
                im = im.quantize(256, method=Image.Quantize.FASTOCTREE,
                                 dither=Image.Dither.NONE)
            im.save(stage / "thumb.png")
        return "thumb.png"
    except Exception:  # no Pillow or an odd image: show the figure itself, scaled
        return None


def collect_figures(stage: Path, nb: Any) -> tuple[list[str], str | None]:
    """The files a report saved into ``figures/`` and its thumbnail (paths relative to ``stage``).

    The thumbnail is made from the PNG of the first figure the notebook published; failing that
    from the first image saved; a notebook that saved nothing has its image outputs written to
    ``figures/`` first.
    """
    figdir = stage / "figures"
    files = [p for p in figdir.rglob("*") if p.is_file()]
    if not files:
        n = 0
        for cell in nb.get("cells", []):
            for output in cell.get("outputs", []) or []:
                data = output.get("data", {}) or {}
                for mime, ext in (("image/png", ".png"), ("image/svg+xml", ".svg")):
                    if mime in data:
                        n += 1
                        payload = data[mime]
                        payload = "".join(payload) if isinstance(payload, list) else payload
                        raw = base64.b64decode(payload) if ext == ".png" else payload.encode()
                        (figdir / f"output-{n:02d}{ext}").write_bytes(raw)
                        break
        files = [p for p in figdir.rglob("*") if p.is_file()]
    files.sort(key=lambda p: (p.stat().st_mtime_ns, p.name))
    rel = [p.relative_to(stage).as_posix() for p in files]
    for record in published(nb, "figure"):
        png = (record.get("files") or {}).get("png")
        if png and (figdir / png).is_file():
            return rel, _thumbnail(figdir / png, stage) or f"figures/{png}"
    images = [p for p in files if p.suffix.lower() in _IMAGE]
    if not images:
        return rel, None
    first = images[0]
    same = [p for p in images if p.with_suffix("") == first.with_suffix("")
            and p.suffix.lower() in _RASTER]
    pick = same[0] if same else first
    if pick.suffix.lower() in _RASTER:
        thumb = _thumbnail(pick, stage)
        if thumb:
            return rel, thumb
    return rel, pick.relative_to(stage).as_posix()


def relative_paths(path: Path, replacements: dict[str, str]) -> bool:
    """Rewrite the machine's absolute paths in the notebook file ``path`` (papermill's
    ``input_path`` and ``output_path``, the injected ``output_dir``...) as the paths of
    ``replacements``, longest first; return True when the file changed.

    A published notebook then names no folder of the machine that rendered it.

    Examples
    --------
    >>> import json, tempfile
    >>> p = Path(tempfile.mkdtemp()) / "r.ipynb"
    >>> _ = p.write_text(json.dumps({"metadata": {"papermill": {"input_path": "/home/me/n.ipynb",
    ...     "parameters": {"output_dir": "/home/me/out/.staging/r~new~1/figures"}}}}))
    >>> relative_paths(p, {"/home/me/n.ipynb": "n.ipynb",
    ...                    "/home/me/out/.staging/r~new~1/figures": "figures"})
    True
    >>> json.loads(p.read_text())["metadata"]["papermill"]["parameters"]["output_dir"]
    'figures'
    """
    import json

    from .._files import atomic_write

    text = path.read_text(encoding="utf-8")
    new = text
    for old in sorted((k for k in replacements if k), key=len, reverse=True):
        new = new.replace(json.dumps(old)[1:-1], json.dumps(replacements[old])[1:-1])
    if new == text:
        return False
    atomic_write(path, new)
    return True
